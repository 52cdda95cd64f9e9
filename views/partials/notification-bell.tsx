// The masthead's bell (PatternFly's notification badge): how many in-app notifications are not
// dismissed yet, linking to the notifications page. htmx fetches it again from
// /notifications/bell whenever a response sends the `notifications-changed` event (HX-Trigger).
import { UNREAD_CAP } from "../../server/domain/notifications/in-app.ts";

export const BELL_ID = "notification-bell";
/** The event a response names in HX-Trigger to have the bell counted again. */
export const NOTIFICATIONS_CHANGED = "notifications-changed";

function BellIcon() {
  return (
    <svg class="pf-v6-svg" fill="currentColor" viewBox="0 0 448 512" aria-hidden="true" role="img" width="1em" height="1em">
      <path d="M224 512c35.32 0 63.97-28.65 63.97-64H160.03c0 35.35 28.65 64 63.97 64zm215.39-149.71c-19.32-20.76-55.47-51.99-55.47-154.29 0-77.7-54.48-139.9-127.94-155.16V32c0-17.67-14.32-32-31.98-32s-31.98 14.33-31.98 32v20.84C118.56 68.1 64.08 130.3 64.08 208c0 102.3-36.15 133.53-55.47 154.29-6 6.45-8.66 14.16-8.61 21.71.11 16.4 12.98 32 32.1 32h383.8c19.12 0 32-15.6 32.1-32 .05-7.55-2.61-15.27-8.61-21.71z" />
    </svg>
  );
}

export function NotificationBell({ unread }: { unread: number }) {
  const count = unread >= UNREAD_CAP ? `${UNREAD_CAP - 1}+` : String(unread);
  return (
    <a
      id={BELL_ID}
      class={`pf-v6-c-button pf-m-stateful ${unread > 0 ? "pf-m-unread" : "pf-m-read"}`}
      href="/notifications"
      aria-label={unread > 0 ? `Notifications: ${count} unread` : "Notifications: none unread"}
      data-testid="notification-bell"
      hx-get="/notifications/bell"
      hx-trigger={`${NOTIFICATIONS_CHANGED} from:body`}
      hx-swap="outerHTML"
    >
      <span class="pf-v6-c-button__icon">
        <BellIcon />
      </span>
      {unread > 0 && (
        <span class="pf-v6-c-button__count" data-testid="notification-count">
          {count}
        </span>
      )}
    </a>
  );
}
