// Turning views into responses: the page frame's data (assets, viewer, CSRF token), full pages
// with a doctype, htmx partials, and the problem pages (404, 403, 413, 429, 500).
import type { Child } from "hono/jsx";
import type { Chrome } from "../../views/layout.tsx";
import { ProblemPage } from "../../views/pages/problem.tsx";
import type { AppDeps } from "../deps.ts";
import { countUnread } from "../domain/notifications/in-app.ts";
import type { WebContext } from "./session.ts";
import { pageAssets } from "./static.ts";

type Status = 200 | 400 | 401 | 403 | 404 | 409 | 413 | 429 | 500;

/** Pages a signed-in user has no reason to come back to. */
const NO_RETURN = new Set(["/", "/signin", "/signup", "/setup", "/signout"]);

function signInHref(c: WebContext): string {
  const url = new URL(c.req.url);
  if (c.req.method !== "GET" || NO_RETURN.has(url.pathname)) return "/signin";
  return `/signin?${new URLSearchParams({ next: url.pathname + url.search })}`;
}

/** The bell's count, asked once per request however many times the frame is drawn. */
const unreadByRequest = new WeakMap<Request, Promise<number>>();

/** The signed-in user's undismissed notifications (one bounded, indexed count), for the bell. */
export function unreadNotifications(deps: AppDeps, c: WebContext): Promise<number> | undefined {
  const user = c.get("session")?.user;
  if (!user) return undefined;
  let count = unreadByRequest.get(c.req.raw);
  if (!count) {
    count = countUnread(deps.db, { userId: user.id, namespaceId: user.namespaceId });
    unreadByRequest.set(c.req.raw, count);
  }
  return count;
}

export async function chrome(deps: AppDeps, c: WebContext): Promise<Chrome> {
  const session = c.get("session");
  return {
    assets: await pageAssets(),
    user: session ? { username: session.user.username, superuser: session.user.superuser } : null,
    csrfToken: session?.csrfToken ?? null,
    unreadNotifications: await unreadNotifications(deps, c),
    openSignup: deps.config.features.openSignup,
    signInHref: signInHref(c),
  };
}

export function page(c: WebContext, node: Child, status: Status = 200): Response {
  return c.html(`<!DOCTYPE html>${String(node)}`, status);
}

/** An htmx request for one fragment (not a history restore, which wants the whole page). */
export function wantsFragment(c: WebContext, targetId: string): boolean {
  return (
    c.req.header("hx-request") === "true" &&
    c.req.header("hx-history-restore-request") !== "true" &&
    c.req.header("hx-target") === targetId
  );
}

export function fragment(c: WebContext, node: Child): Response {
  return c.html(String(node));
}

export async function notFoundPage(deps: AppDeps, c: WebContext): Promise<Response> {
  return page(
    c,
    <ProblemPage chrome={await chrome(deps, c)} title="Not found" message="There is nothing here, or you are not allowed to see it." />,
    404,
  );
}

export async function forbiddenFormPage(deps: AppDeps, c: WebContext): Promise<Response> {
  return page(
    c,
    <ProblemPage chrome={await chrome(deps, c)} title="This form has expired" message="The form was missing its security token or it no longer matches your session. Go back, reload the page and try again." />,
    403,
  );
}

/** A form post bigger than any form here (see FORM_LIMIT_BYTES in routes.ts). */
export async function tooLargePage(deps: AppDeps, c: WebContext): Promise<Response> {
  return page(
    c,
    <ProblemPage chrome={await chrome(deps, c)} title="Too much data" message="What was sent is larger than any form on this site accepts. Go back, shorten what you entered and try again." />,
    413,
  );
}

/** "12 seconds", "3 minutes": how long a 429 asks the user to wait. */
export function waitText(seconds: number): string {
  if (seconds < 60) return seconds === 1 ? "1 second" : `${seconds} seconds`;
  const minutes = Math.ceil(seconds / 60);
  return minutes === 1 ? "1 minute" : `${minutes} minutes`;
}

/** The server refuses this for now (e.g. too many sign-ins at once): 429 with Retry-After. */
export async function busyPage(deps: AppDeps, c: WebContext, retryAfter: number): Promise<Response> {
  c.header("Retry-After", String(retryAfter));
  return page(
    c,
    <ProblemPage chrome={await chrome(deps, c)} title="Too many requests" message={`The server is busy with other sign-ins. Try again in ${waitText(retryAfter)}.`} />,
    429,
  );
}

export async function errorPage(deps: AppDeps, c: WebContext): Promise<Response> {
  return page(
    c,
    <ProblemPage chrome={await chrome(deps, c)} title="Something went wrong" message="The server could not complete this request. Try again in a moment." />,
    500,
  );
}
