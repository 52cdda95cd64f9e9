// The page frame every HTML page shares: PatternFly page + masthead, the signed-in user's menu,
// the CSRF header htmx sends with every request it makes, and the live region where failed htmx
// requests are announced (static/request-alerts.js).
import type { Child } from "hono/jsx";
import { CsrfField } from "./partials/form-field.tsx";
import { NotificationBell } from "./partials/notification-bell.tsx";
import { SearchBox } from "./partials/search-box.tsx";

export interface PageAssets {
  patternfly: string;
  appCss: string;
  htmx: string;
  requestAlerts: string;
  favicon: string;
}

/** What the frame needs to know about the request, whatever the page. */
export interface Chrome {
  assets: PageAssets;
  /** `superuser` adds the administration link (garbage collection). */
  user: { username: string; superuser?: boolean } | null;
  /** The session's CSRF token (null when signed out). */
  csrfToken: string | null;
  /** The signed-in user's notifications not yet dismissed (the bell); absent when signed out. */
  unreadNotifications?: number;
  openSignup: boolean;
  /** The sign-in link, carrying the current page so signing in returns to it. */
  signInHref: string;
}

// Pages are small; keeping no history snapshots also keeps private names out of localStorage.
const HTMX_CONFIG = JSON.stringify({ historyCacheSize: 0, refreshOnHistoryMiss: true });

function UserMenu({ chrome }: { chrome: Chrome }) {
  if (chrome.user && chrome.csrfToken) {
    return (
      <div class="qs-masthead-user">
        {chrome.unreadNotifications !== undefined && <NotificationBell unread={chrome.unreadNotifications} />}
        <a class="qs-masthead-username" href="/settings" data-testid="signed-in-user" title={chrome.user.username}>
          {chrome.user.username}
        </a>
        <form method="post" action="/signout">
          <CsrfField token={chrome.csrfToken} />
          <button class="pf-v6-c-button pf-m-secondary" type="submit">
            <span class="pf-v6-c-button__text">Sign out</span>
          </button>
        </form>
      </div>
    );
  }
  return (
    <div class="qs-masthead-user">
      {chrome.openSignup && (
        <a class="pf-v6-c-button pf-m-link" href="/signup">
          <span class="pf-v6-c-button__text">Create account</span>
        </a>
      )}
      <a class="pf-v6-c-button pf-m-primary" href={chrome.signInHref}>
        <span class="pf-v6-c-button__text">Sign in</span>
      </a>
    </div>
  );
}

export interface LayoutProps {
  chrome: Chrome;
  title: string;
  /** Leave out the sign-in/account links (first-run setup, where they lead nowhere yet). */
  bare?: boolean;
  children?: Child;
}

export function Layout({ chrome, title, bare, children }: LayoutProps) {
  const htmxHeaders = chrome.csrfToken ? JSON.stringify({ "X-CSRF-Token": chrome.csrfToken }) : undefined;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="htmx-config" content={HTMX_CONFIG} />
        <title>{title} · Quayside</title>
        <link rel="stylesheet" href={chrome.assets.patternfly} />
        <link rel="stylesheet" href={chrome.assets.appCss} />
        <link rel="icon" href={chrome.assets.favicon} type="image/svg+xml" />
        <script src={chrome.assets.htmx} defer></script>
        <script src={chrome.assets.requestAlerts} defer></script>
      </head>
      <body hx-headers={htmxHeaders}>
        <div class="pf-v6-c-page">
          <header class="pf-v6-c-masthead">
            <div class="pf-v6-c-masthead__main">
              <div class="pf-v6-c-masthead__brand">
                <a class="pf-v6-c-masthead__logo qs-brand" href="/">
                  Quayside
                </a>
              </div>
            </div>
            <div class="pf-v6-c-masthead__content">
              {!bare && (
                <div class="qs-masthead-tools">
                  <a href="/explore">
                    Explore
                  </a>
                  {chrome.user?.superuser && (
                    <a href="/superuser/gc" data-testid="admin-link">
                      Garbage collection
                    </a>
                  )}
                  <SearchBox />
                  <UserMenu chrome={chrome} />
                </div>
              )}
            </div>
          </header>
          <div class="pf-v6-c-page__main-container">
            <main class="pf-v6-c-page__main" id="main">
              {children}
            </main>
          </div>
        </div>
        <ul class="pf-v6-c-alert-group pf-m-toast" role="list" aria-live="polite" data-testid="request-alerts"></ul>
      </body>
    </html>
  );
}

/** One padded section of the main area. */
export function Section({ children, secondary }: { children?: Child; secondary?: boolean }) {
  return (
    <section class={`pf-v6-c-page__main-section${secondary ? " pf-m-secondary" : ""}`}>
      <div class="pf-v6-c-page__main-body">{children}</div>
    </section>
  );
}
