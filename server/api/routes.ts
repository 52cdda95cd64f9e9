// The /api/v1 door: Quay's JSON API. Each route learns who is calling (and checks CSRF for
// session writes) before its handler runs; errors become Quay's error bodies. Repository paths
// hold slashes, so the routes under /repository/ are matched by suffix, most specific first.
import { type Context, Hono } from "hono";
import type { AppDeps } from "../deps.ts";
import { DomainError } from "../domain/errors.ts";
import { baseUrl } from "../registry/deps.ts";
import { actorOf, checkCsrf, identifyCaller, isAnonymous } from "./auth.ts";
import { ApiError, fromDomain, NOT_FOUND_MESSAGE, PlainError, problemBody } from "./errors.ts";
import { bodyCap } from "./input.ts";
import {
  changeVisibilityHandler,
  createRepositoryHandler,
  deleteRepositoryHandler,
  getRepositoryHandler,
  listRepositoriesHandler,
  repoRefFromPath,
  updateRepositoryHandler,
} from "./repositories.ts";
import type { ApiEnv, ApiHandler, ApiRequest } from "./request.ts";
import { mountApplicationRoutes } from "./applications.ts";
import { mountGarbageCollectionRoutes } from "./garbage-collection.ts";
import { mountAssignedAuthorizationRoutes } from "./assigned-authorizations.ts";
import { mountUserNotificationRoutes } from "./user-notifications.ts";
import { capabilitiesHandler } from "./capabilities.ts";
import { entitiesHandler } from "./entities.ts";
import { findAllHandler, findRepositoriesHandler } from "./search.ts";
import { signin, signout, verifySignin } from "./session.ts";
import { listStarredHandler, starHandler, unstarHandler } from "./starred.ts";
import { mountRobotRoutes } from "./robots.ts";
import { REPOSITORY_PERMISSION_ROUTES } from "./repository-permissions.ts";
import { NOTIFICATION_ROUTES } from "./notifications.ts";
import { MIRROR_ROUTES } from "./mirror.ts";
import { mountOrganizationRoutes } from "./organizations.ts";
import { mountProxyCacheRoutes } from "./proxy-cache.ts";
import { mountOrgMirrorRoutes } from "./org-mirror.ts";
import { mountTeamRoutes } from "./teams.ts";
import { mountPrototypeRoutes } from "./prototypes.ts";
import { TAG_ROUTES } from "./tags.ts";
import { MANIFEST_ROUTES } from "./manifests.ts";
import { SBOM_ROUTES } from "./sbom.ts";
import { TAG_DIFF_ROUTES } from "./tag-diff.ts";
import { LOG_ROUTES, mountLogRoutes } from "./logs.ts";
import { convertAccountHandler, deleteAccountHandler, getUser, initializeUser, updateAccountHandler } from "./user.ts";
import {
  createUserHandler,
  deleteOrganizationHandler,
  deleteUserHandler,
  getUserHandler,
  listOrganizationsHandler,
  listUsersHandler,
  updateOrganizationHandler,
  updateUserHandler,
} from "./superuser.ts";
import { createAppTokenHandler, getAppTokenHandler, listAppTokensHandler, revokeAppTokenHandler } from "./app-tokens.ts";
import { logRequestError } from "../observability/request-observer.ts";

/** A handler of a path under /repository/: the repository, then the pattern's further groups. */
type RepoHandler = (r: ApiRequest, ref: ReturnType<typeof repoRefFromPath>, names: string[]) => Promise<Response>;

const REPO_ROUTES: { pattern: RegExp; methods: Record<string, RepoHandler> }[] = [
  ...REPOSITORY_PERMISSION_ROUTES,
  ...NOTIFICATION_ROUTES,
  ...MIRROR_ROUTES,
  ...MANIFEST_ROUTES,
  ...SBOM_ROUTES,
  ...TAG_DIFF_ROUTES,
  ...TAG_ROUTES,
  ...LOG_ROUTES,
  { pattern: /^(.+)\/changevisibility$/, methods: { POST: changeVisibilityHandler } },
  {
    pattern: /^(.+)$/,
    methods: { GET: getRepositoryHandler, PUT: updateRepositoryHandler, DELETE: deleteRepositoryHandler },
  },
];

const METHOD_NOT_ALLOWED = "The method is not allowed for the requested URL.";

export function apiRoutes(deps: AppDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();

  app.onError((err, c) => errorResponse(deps, c, err));
  app.use("*", bodyCap);

  /** Runs a handler once the caller is known and, for writes, their CSRF token checked. */
  const route = (handler: ApiHandler) => async (c: Context<ApiEnv>) => {
    const caller = await identifyCaller(deps, c);
    c.set("caller", caller);
    checkCsrf(c, caller);
    return handler({ deps, c, caller, actor: actorOf(deps.config, c, caller) });
  };
  const notAllowed = () => {
    throw new PlainError(405, { message: METHOD_NOT_ALLOWED });
  };

  // A web route in Quay: no caller, no CSRF (nobody can have a session yet).
  app.post("/user/initialize", (c) => initializeUser(deps, c));
  app.all("/user/initialize", notAllowed);

  // Sign-in checks the pre-session CSRF token itself (there is no session to hold one yet).
  app.post("/signin", (c) => signin(deps, c));
  app.all("/signin", notAllowed);
  app.post("/signin/verify", route(verifySignin));
  app.all("/signin/verify", notAllowed);
  app.post("/signout", route(signout));
  app.all("/signout", notAllowed);

  app.get("/registry/capabilities", (c) => capabilitiesHandler(c));
  app.all("/registry/capabilities", notAllowed);

  app.get("/user/starred", route(listStarredHandler));
  app.post("/user/starred", route(starHandler));
  app.all("/user/starred", notAllowed);
  app.delete("/user/starred/:repo{.+}", route((r) => unstarHandler(r, r.c.req.param("repo")!)));
  app.all("/user/starred/:repo{.+}", notAllowed);

  app.get("/entities/:prefix", route((r) => entitiesHandler(r, r.c.req.param("prefix")!)));
  app.all("/entities/:prefix", notAllowed);

  app.get("/find/repositories", route(findRepositoriesHandler));
  app.all("/find/repositories", notAllowed);
  app.get("/find/all", route(findAllHandler));
  app.all("/find/all", notAllowed);

  mountApplicationRoutes(app, route, notAllowed);
  mountGarbageCollectionRoutes(app, route, notAllowed);
  mountAssignedAuthorizationRoutes(app, route, notAllowed);
  mountUserNotificationRoutes(app, route, notAllowed);

  for (const path of ["/user/", "/user"]) {
    app.get(path, route(getUser));
    app.put(path, route(updateAccountHandler));
    app.delete(path, route(deleteAccountHandler));
    app.all(path, notAllowed);
  }

  app.post("/user/convert", route(convertAccountHandler));
  app.all("/user/convert", notAllowed);

  app.get("/user/apptoken", route(listAppTokensHandler));
  app.post("/user/apptoken", route(createAppTokenHandler));
  app.all("/user/apptoken", notAllowed);
  app.get("/user/apptoken/:uuid", route((r) => getAppTokenHandler(r, r.c.req.param("uuid")!)));
  app.delete("/user/apptoken/:uuid", route((r) => revokeAppTokenHandler(r, r.c.req.param("uuid")!)));
  app.all("/user/apptoken/:uuid", notAllowed);

  for (const path of ["/superuser/users/", "/superuser/users"]) {
    app.get(path, route(listUsersHandler));
    app.post(path, route(createUserHandler));
    app.all(path, notAllowed);
  }
  const superuserTarget = (handler: typeof getUserHandler) => route((r) => handler(r, r.c.req.param("username")!));
  app.get("/superuser/users/:username", superuserTarget(getUserHandler));
  app.put("/superuser/users/:username", superuserTarget(updateUserHandler));
  app.delete("/superuser/users/:username", superuserTarget(deleteUserHandler));
  app.all("/superuser/users/:username", notAllowed);

  for (const path of ["/superuser/organizations/", "/superuser/organizations"]) {
    app.get(path, route(listOrganizationsHandler));
    app.all(path, notAllowed);
  }
  const superuserOrganization = (handler: typeof updateOrganizationHandler) => route((r) => handler(r, r.c.req.param("name")!));
  app.put("/superuser/organizations/:name", superuserOrganization(updateOrganizationHandler));
  app.delete("/superuser/organizations/:name", superuserOrganization(deleteOrganizationHandler));
  app.all("/superuser/organizations/:name", notAllowed);

  app.get("/repository", route(listRepositoriesHandler));
  app.post("/repository", route(createRepositoryHandler));
  app.all("/repository", notAllowed);

  app.all(
    "/repository/*",
    route(async (r) => {
      const raw = r.c.req.path.slice(r.c.req.path.indexOf("/repository/") + "/repository/".length);
      let path: string;
      try {
        path = decodeURIComponent(raw);
      } catch {
        throw new PlainError(404, { message: NOT_FOUND_MESSAGE });
      }
      for (const { pattern, methods } of REPO_ROUTES) {
        const m = pattern.exec(path);
        if (!m) continue;
        const handler = methods[r.c.req.method];
        if (!handler) return notAllowed();
        return handler(r, repoRefFromPath(m[1]!), m.slice(2));
      }
      throw new PlainError(404, { message: NOT_FOUND_MESSAGE });
    }),
  );

  mountRobotRoutes(app, route, notAllowed);
  mountOrganizationRoutes(app, route, notAllowed);
  mountProxyCacheRoutes(app, route, notAllowed);
  mountOrgMirrorRoutes(app, route, notAllowed);
  mountTeamRoutes(app, route, notAllowed);
  mountPrototypeRoutes(app, route, notAllowed);
  mountLogRoutes(app, route, notAllowed);

  app.all("*", () => {
    throw new PlainError(404, { message: NOT_FOUND_MESSAGE });
  });

  return app;
}

function errorResponse(deps: AppDeps, c: Context<ApiEnv>, err: unknown): Response {
  const caller = c.get("caller");
  let known: ApiError | PlainError | undefined;
  if (err instanceof ApiError || err instanceof PlainError) known = err;
  else if (err instanceof DomainError) known = fromDomain(err, !caller || isAnonymous(caller));
  if (!known) {
    logRequestError(c, err, "api error");
    known = new PlainError(500, { message: "Internal Server Error" });
  }
  if (known instanceof PlainError) return c.json(known.body, known.status as 400, known.headers);
  const base = baseUrl(deps.config, c);
  return c.json(problemBody(known, base), known.status as 400);
}
