// The notifications page the bell links to: the signed-in user's in-app notifications not yet
// dismissed, newest first, each a sentence about what happened with its repository linked, and
// Dismiss per row and for all. Forms work without JavaScript; with htmx they swap only the list
// (and the bell is counted again).
import type { Child } from "hono/jsx";
import type { Sentence } from "../../server/domain/notifications/in-app-sentences.ts";
import { type Chrome, Layout, Section } from "../layout.tsx";
import { Cell, DataTable, TimeAgo } from "../partials/data-table.tsx";
import { EmptyState } from "../partials/empty-state.tsx";
import { CsrfField } from "../partials/form-field.tsx";
import { CursorPager } from "../partials/pager.tsx";

export const NOTIFICATION_LIST_ID = "notification-list";

export interface NotificationRow {
  uuid: string;
  sentence: Sentence;
  /** The organization it was addressed to (shown to its admins); null when addressed to the viewer. */
  organization: string | null;
  createdAt: Date;
}

export interface NotificationListProps {
  rows: NotificationRow[];
  /** 1-based page, and whether a later one exists. */
  page: number;
  hasNext: boolean;
  now: Date;
  csrfToken: string;
}

const pageHref = (page: number) => (page > 1 ? `/notifications?page=${page}` : "/notifications");

/** A form that posts to `action`, swapping the list when htmx is there. */
function ListForm({ action, page, csrfToken, children }: { action: string; page: number; csrfToken: string; children: Child }) {
  return (
    <form method="post" action={action} hx-post={action} hx-target={`#${NOTIFICATION_LIST_ID}`} hx-swap="outerHTML">
      <CsrfField token={csrfToken} />
      <input type="hidden" name="page" value={String(page)} />
      {children}
    </form>
  );
}

function SentenceText({ sentence }: { sentence: Sentence }) {
  return (
    <>
      {sentence.parts.map((part) =>
        typeof part === "string" ? (
          part
        ) : (
          <a href={`/repository/${part.repository.namespace}/${part.repository.name}`} data-testid="notification-repository">
            {part.repository.namespace}/{part.repository.name}
          </a>
        ),
      )}
    </>
  );
}

export function NotificationList({ rows, page, hasNext, now, csrfToken }: NotificationListProps) {
  return (
    <div id={NOTIFICATION_LIST_ID} class="qs-swappable">
      {rows.length > 0 && (
        <div class="qs-gap-below">
          <ListForm action="/notifications/dismiss-all" page={page} csrfToken={csrfToken}>
            <button class="pf-v6-c-button pf-m-secondary" type="submit" data-testid="dismiss-all">
              <span class="pf-v6-c-button__text">Dismiss all</span>
            </button>
          </ListForm>
        </div>
      )}
      <DataTable
        id={`${NOTIFICATION_LIST_ID}-table`}
        label="Notifications"
        columns={["What happened", "When", <span class="pf-v6-screen-reader">Actions</span>]}
        rows={rows}
        pager={null}
        footer={
          page > 1 || hasNext ? (
            <CursorPager
              summary={`Page ${page}`}
              prevHref={page > 1 ? pageHref(page - 1) : null}
              nextHref={hasNext ? pageHref(page + 1) : null}
              target={NOTIFICATION_LIST_ID}
            />
          ) : undefined
        }
        empty={
          <EmptyState title="No new notifications">
            When a repository's notification is set to reach you in-app (a Quay notification to you, your team or your
            organization), what happens appears here.
          </EmptyState>
        }
        row={(note) => (
          <tr class="pf-v6-c-table__tr" data-testid="notification-row">
            <Cell label="What happened">
              <span id={`note-${note.uuid}`} data-testid="notification-sentence">
                <SentenceText sentence={note.sentence} />
              </span>
              {note.organization && <div class="qs-muted">For the organization {note.organization}</div>}
            </Cell>
            <Cell label="When">
              <TimeAgo date={note.createdAt} now={now} />
            </Cell>
            <Cell label="Actions">
              <ListForm action={`/notifications/${note.uuid}/dismiss`} page={page} csrfToken={csrfToken}>
                <button class="pf-v6-c-button pf-m-link pf-m-inline" type="submit" aria-describedby={`note-${note.uuid}`} data-testid="dismiss">
                  <span class="pf-v6-c-button__text">Dismiss</span>
                </button>
              </ListForm>
            </Cell>
          </tr>
        )}
      />
    </div>
  );
}

export function NotificationsPage({ chrome, list }: { chrome: Chrome; list: NotificationListProps }) {
  return (
    <Layout chrome={chrome} title="Notifications">
      <Section>
        <h1 class="pf-v6-c-title pf-m-2xl">Notifications</h1>
        <p class="qs-muted qs-gap-below">Events from repositories whose notifications reach you here, newest first.</p>
        <NotificationList {...list} />
      </Section>
    </Layout>
  );
}
