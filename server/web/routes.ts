// The HTML door: session and CSRF middleware, then the pages (one module per area), then an
// HTML 404 for any other page path. Requests for the other doors' paths that reach here (no route
// of theirs matched) are left alone so their own not-found answers stay in their own format.
import { Hono, type MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AppDeps } from "../deps.ts";
import { DomainError, retryAfterOf } from "../domain/errors.ts";
import { authPages } from "./auth-pages.tsx";
import { csrfProtection } from "./csrf.ts";
import { firstRun } from "./first-run.ts";
import { applicationPages } from "./application-pages.tsx";
import { assignmentPages } from "./assignment-pages.tsx";
import { oauthPages } from "./oauth-pages.tsx";
import { oauthTokenPages } from "./oauth-token-pages.tsx";
import { starPages } from "./star-pages.tsx";
import { busyPage, errorPage, forbiddenFormPage, notFoundPage, tooLargePage } from "./render.tsx";
import { repositoryCreatePages } from "./repository-create-pages.tsx";
import { repositoryPermissionPages } from "./repository-permission-pages.tsx";
import { repositoryNotificationPages } from "./repository-notification-pages.tsx";
import { repositoryMirrorPages } from "./repository-mirror-pages.tsx";
import { defaultPermissionPages } from "./default-permission-pages.tsx";
import { orgMirrorPages } from "./org-mirror-pages.tsx";
import { proxyCachePages } from "./proxy-cache-pages.tsx";
import { repositoryPages } from "./repository-pages.tsx";
import { manifestPages } from "./manifest-pages.tsx";
import { tagPages } from "./tag-pages.tsx";
import { tagDiffPages } from "./tag-diff-pages.tsx";
import { searchPages } from "./search-pages.tsx";
import { robotFederation } from "./robot-federation.ts";
import { organizationPages } from "./organization-pages.tsx";
import { robotPages } from "./robot-pages.tsx";
import { sessionMiddleware, type WebEnv } from "./session.ts";
import { serveStatic } from "./static.ts";
import { settingsPages } from "./settings-pages.tsx";
import { garbageCollectionPages } from "./garbage-collection-pages.tsx";
import { notificationPages } from "./notification-pages.tsx";
import { logRequestError } from "../observability/request-observer.ts";

const OTHER_DOORS = /^\/(v2|api|static|health|metrics)(\/|$)/;

/** Forms here are a few fields; refuse anything bigger before parsing it. */
const FORM_LIMIT_BYTES = 64 * 1024;

/** Runs `handler` only for page paths. */
function pagesOnly(handler: MiddlewareHandler<WebEnv>): MiddlewareHandler<WebEnv> {
  return (c, next) => (OTHER_DOORS.test(c.req.path) ? next() : handler(c, next));
}

export function webRoutes(deps: AppDeps): Hono<WebEnv> {
  const app = new Hono<WebEnv>();
  const setup = firstRun(deps);

  app.onError(async (err, c) => {
    if (err instanceof DomainError && err.code === "TOO_MANY_REQUESTS") return busyPage(deps, c, retryAfterOf(err));
    // Never echo the request (it may hold a password); the error itself is enough.
    logRequestError(c, err, "web error");
    try {
      return await errorPage(deps, c);
    } catch {
      return c.text("Internal Server Error", 500);
    }
  });

  // Asked for by browsers and tools whatever the page links; no session needed.
  app.get("/favicon.ico", (c) => serveStatic(c, "favicon.ico"));

  app.use(
    "*",
    pagesOnly(async (c, next) => {
      await next();
      // Pages are personal and must not be framed (clickjacking) or cached by intermediaries.
      c.header("X-Frame-Options", "DENY");
      c.header("X-Content-Type-Options", "nosniff");
      c.header("Referrer-Policy", "same-origin");
      if (!c.res.headers.has("Cache-Control")) c.header("Cache-Control", "no-store");
    }),
  );
  // The session first (it needs no body), so even a refused upload shows who is signed in.
  app.use("*", pagesOnly(sessionMiddleware(deps)));
  app.use("*", pagesOnly(bodyLimit({ maxSize: FORM_LIMIT_BYTES, onError: (c) => tooLargePage(deps, c) })));
  // Signing out with no session (say, already done in another tab) changes nothing: land on the
  // signed-out page rather than refuse a form whose token belonged to the ended session.
  app.post("/signout", (c, next) => (c.get("session") ? next() : c.redirect("/", 303)));
  app.use("*", pagesOnly(csrfProtection((c) => forbiddenFormPage(deps, c))));

  app.route("/", authPages(deps, setup));
  app.route("/", repositoryCreatePages(deps));
  app.route("/", repositoryPermissionPages(deps));
  app.route("/", repositoryNotificationPages(deps));
  app.route("/", repositoryMirrorPages(deps));
  app.route("/", defaultPermissionPages(deps));
  app.route("/", proxyCachePages(deps));
  app.route("/", orgMirrorPages(deps));
  // Before the repository list: signed-out visitors get the landing page at `/`.
  app.route("/", searchPages(deps, setup));
  app.route("/", manifestPages(deps));
  app.route("/", tagPages(deps));
  app.route("/", tagDiffPages(deps));
  app.route("/", repositoryPages(deps, setup));
  app.route("/", oauthPages(deps));
  app.route("/", applicationPages(deps));
  app.route("/", oauthTokenPages(deps));
  app.route("/", starPages(deps));
  app.route("/", robotPages(deps));
  app.route("/", settingsPages(deps));
  app.route("/", assignmentPages(deps));
  app.route("/", robotFederation(deps));
  app.route("/", organizationPages(deps));
  app.route("/", garbageCollectionPages(deps));
  app.route("/", notificationPages(deps));

  app.all("*", pagesOnly((c) => notFoundPage(deps, c)));
  return app;
}
