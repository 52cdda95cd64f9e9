// The bell's pages: /notifications (the signed-in user's in-app notifications, paged), Dismiss
// for one (POST /notifications/{uuid}/dismiss) and for all (POST /notifications/dismiss-all),
// and /notifications/bell, the masthead's bell alone for htmx to swap in. Same domain calls as
// Quay's /api/v1/user/notifications.
import { Hono } from "hono";
import { NotificationBell, NOTIFICATIONS_CHANGED } from "../../views/partials/notification-bell.tsx";
import { NOTIFICATION_LIST_ID, NotificationList, type NotificationListProps, NotificationsPage } from "../../views/pages/notifications.tsx";
import type { AppDeps } from "../deps.ts";
import { dismissAll, listInApp, setDismissed, type Viewer } from "../domain/notifications/in-app.ts";
import { inAppSentence } from "../domain/notifications/in-app-sentences.ts";
import { chrome, fragment, notFoundPage, page, unreadNotifications, wantsFragment } from "./render.tsx";
import type { WebContext, WebEnv } from "./session.ts";

const PAGE_SIZE = 20;
const LIST = "/notifications";

const viewerOf = (c: WebContext): Viewer => {
  const { user } = c.get("session")!;
  return { userId: user.id, namespaceId: user.namespaceId };
};

/** A positive page number from the query or a form field (1 otherwise). */
const pageNumber = (raw: unknown): number => {
  const n = typeof raw === "string" && /^\d{1,6}$/.test(raw) ? Number(raw) : 1;
  return Math.max(n, 1);
};

async function listProps(deps: AppDeps, c: WebContext, pageNo: number): Promise<NotificationListProps> {
  const rows = await listInApp(deps.db, viewerOf(c), { offset: (pageNo - 1) * PAGE_SIZE, limit: PAGE_SIZE + 1 });
  return {
    rows: rows.slice(0, PAGE_SIZE).map((n) => ({ uuid: n.uuid, sentence: inAppSentence(n.kind, n.metadata), organization: n.organization, createdAt: n.createdAt })),
    page: pageNo,
    hasNext: rows.length > PAGE_SIZE,
    now: deps.clock.now(),
    csrfToken: c.get("session")!.csrfToken,
  };
}

export function notificationPages(deps: AppDeps): Hono<WebEnv> {
  const app = new Hono<WebEnv>();

  // Below the list itself (which sends visitors to sign in), only signed-in users find anything.
  app.use(`${LIST}/:rest{.+}`, async (c, next) => (c.get("session") ? next() : notFoundPage(deps, c)));

  app.get(LIST, async (c) => {
    if (!c.get("session")) return c.redirect(`/signin?${new URLSearchParams({ next: LIST })}`, 303);
    const list = await listProps(deps, c, pageNumber(c.req.query("page")));
    // Past the end (its rows dismissed meanwhile): back to the newest, as the other lists do.
    if (list.page > 1 && list.rows.length === 0) return c.redirect(LIST, 303);
    if (wantsFragment(c, NOTIFICATION_LIST_ID)) return fragment(c, <NotificationList {...list} />);
    return page(c, <NotificationsPage chrome={await chrome(deps, c)} list={list} />);
  });

  app.get(`${LIST}/bell`, async (c) => fragment(c, <NotificationBell unread={(await unreadNotifications(deps, c))!} />));

  /** After a change: htmx gets the list again and a nudge for the bell; a plain form goes back to the list. */
  const changed = async (c: WebContext) => {
    const pageNo = pageNumber((await c.req.parseBody()).page);
    if (c.req.header("hx-request") !== "true") return c.redirect(pageNo > 1 ? `${LIST}?page=${pageNo}` : LIST, 303);
    c.header("HX-Trigger", NOTIFICATIONS_CHANGED);
    let list = await listProps(deps, c, pageNo);
    if (list.page > 1 && list.rows.length === 0) {
      list = await listProps(deps, c, 1);
      c.header("HX-Replace-Url", LIST);
    }
    return fragment(c, <NotificationList {...list} />);
  };

  app.post(`${LIST}/dismiss-all`, async (c) => {
    await dismissAll(deps.db, viewerOf(c));
    return changed(c);
  });

  app.post(`${LIST}/:uuid/dismiss`, async (c) => {
    if (!(await setDismissed(deps.db, viewerOf(c), c.req.param("uuid"), true))) return notFoundPage(deps, c);
    return changed(c);
  });

  return app;
}
