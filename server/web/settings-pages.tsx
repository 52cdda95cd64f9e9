// The signed-in user's settings in the browser: e-mail, password (with the current one), the
// application tokens (create, view, revoke after asking) and deleting the account (after typing
// the user name). Signed-out visitors are sent to sign in and brought back. Changing the e-mail,
// deleting the account and creating, viewing or revoking an application token need a fresh
// sign-in, as the API's calls for them do (fresh-login.tsx); the password form asks for the
// current password every time, which is that proof already.
import { Hono } from "hono";
import { getCookie } from "hono/cookie";
import { AccountSettingsPage, type AccountSettingsProps, DeleteAccountPage, UserLogsPage } from "../../views/pages/settings.tsx";
import { RevokeTokenPage, TokenPage, TokensPage } from "../../views/pages/settings-tokens.tsx";
import { secretHash } from "../auth/secrets.ts";
import { endSession } from "../auth/session-cookie.ts";
import { SESSION_COOKIE } from "../auth/sessions.ts";
import { clientIp } from "../client-ip.ts";
import type { AppDeps } from "../deps.ts";
import { createAppToken, findAppToken, listAppTokens, revokeAppToken } from "../domain/accounts/app-tokens.ts";
import { setUserTagExpiration, tagExpirationSeconds } from "../domain/accounts/namespaces.ts";
import { changePassword, deleteAccount, updateAccount, type User } from "../domain/accounts/users.ts";
import { DomainError } from "../domain/errors.ts";
import { serviceName } from "../registry/deps.ts";
import { withFreshLogin } from "./fresh-login.tsx";
import { chrome, notFoundPage, page } from "./render.tsx";
import type { WebContext, WebEnv } from "./session.ts";
import { type UsageLogPlace, usageLogExport, usageLogView } from "./usage-logs.tsx";
import type { UsageLogsProps } from "../../views/partials/usage-logs.tsx";

/** A refusal the person can fix in the form: which field, what to say. */
function formProblem(err: unknown, fallbackField: string): Record<string, string> {
  if (!(err instanceof DomainError) || (err.code !== "INVALID_REQUEST" && err.code !== "CONFLICT")) throw err;
  const fields = err.detail && typeof err.detail === "object" ? (err.detail as Record<string, string>) : {};
  return Object.keys(fields).length > 0 ? fields : { [fallbackField]: err.message };
}

export function settingsPages(deps: AppDeps): Hono<WebEnv> {
  const app = new Hono<WebEnv>();
  const actor = (c: WebContext) => ({ principal: c.get("principal"), ip: clientIp(c, deps.config) });
  /** This browser's session, kept when a password change ends the others. */
  const thisSession = (c: WebContext) => {
    const cookie = getCookie(c, SESSION_COOKIE);
    return cookie ? secretHash(cookie) : undefined;
  };

  // Everything here is the signed-in user's own; others sign in first.
  app.use("/settings/*", async (c, next) => {
    if (c.get("session")) return next();
    if (c.req.method !== "GET") return notFoundPage(deps, c);
    return c.redirect(`/signin?${new URLSearchParams({ next: c.req.path })}`, 303);
  });
  app.use("/settings", async (c, next) => (c.get("session") ? next() : c.redirect("/signin?next=%2Fsettings", 303)));
  const me = (c: WebContext): User => c.get("session")!.user;

  async function accountPage(c: WebContext, props: Omit<AccountSettingsProps, "chrome" | "email" | "tagExpirationS">, status: 200 | 400 = 200) {
    const tagExpirationS = await tagExpirationSeconds(deps.db, me(c).namespaceId);
    return page(c, <AccountSettingsPage chrome={await chrome(deps, c)} email={me(c).email} tagExpirationS={tagExpirationS} {...props} />, status);
  }

  app.get("/settings", (c) => {
    const saved = c.req.query("saved");
    return accountPage(c, { saved: saved === "email" || saved === "password" || saved === "time-machine" ? saved : undefined });
  });

  app.post("/settings/time-machine", async (c) => {
    try {
      await setUserTagExpiration(deps.db, actor(c), me(c), Number((await c.req.parseBody()).tag_expiration_s));
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      return accountPage(c, { timeMachineError: err.message }, 400);
    }
    return c.redirect("/settings?saved=time-machine", 303);
  });

  app.post("/settings/email", async (c) => {
    const email = String((await c.req.parseBody()).email ?? "").trim();
    return withFreshLogin(deps, c, "/settings", async () => {
      try {
        await updateAccount(deps.db, me(c), { email }, actor(c));
      } catch (err) {
        return accountPage(c, { emailForm: { values: { email }, errors: formProblem(err, "email") } }, 400);
      }
      return c.redirect("/settings?saved=email", 303);
    });
  });

  app.post("/settings/password", async (c) => {
    const form = await c.req.parseBody();
    const [current = "", password = "", confirm = ""] = ["current", "password", "confirm"].map((f) => String(form[f] ?? ""));
    const refuse = (errors: Record<string, string>) => accountPage(c, { passwordForm: { values: {}, errors } }, 400);
    if (current === "") return refuse({ current: "Enter your current password" });
    if (password !== confirm) return refuse({ confirm: "The two new passwords differ" });
    try {
      await changePassword(deps, me(c), { current, next: password }, actor(c), thisSession(c));
    } catch (err) {
      return refuse(formProblem(err, "password"));
    }
    return c.redirect("/settings?saved=password", 303);
  });

  // The usage logs of the user's own namespace (Quay's user logs), and their export.
  const logPlace = (user: User): UsageLogPlace => ({
    scope: { namespaceId: user.namespaceId },
    action: "/settings/logs",
    params: {},
    subject: "your account",
    namespace: { id: user.namespaceId, name: user.username },
    repositoryName: null,
  });
  const logsPage = async (c: WebContext, view: UsageLogsProps, status: 200 | 400 = 200) =>
    page(c, <UserLogsPage chrome={await chrome(deps, c)} logs={view} />, status);
  app.get("/settings/logs", async (c) => {
    const view = await usageLogView(deps, c, logPlace(me(c)));
    return view instanceof Response ? view : logsPage(c, view);
  });
  app.post("/settings/logs", (c) => usageLogExport(deps, c, logPlace(me(c)), (view, status) => logsPage(c, view, status)));

  app.get("/settings/delete", async (c) => page(c, <DeleteAccountPage chrome={await chrome(deps, c)} username={me(c).username} />));

  app.post("/settings/delete", async (c) => {
    const user = me(c);
    const typed = String((await c.req.parseBody()).confirm ?? "").trim();
    const refuse = async (error: string) => page(c, <DeleteAccountPage chrome={await chrome(deps, c)} username={user.username} error={error} />, 400);
    if (typed !== user.username) return refuse(`Type ${user.username} exactly to confirm`);
    return withFreshLogin(deps, c, "/settings", async () => {
      try {
        await deleteAccount(deps.db, user, actor(c));
      } catch (err) {
        return refuse(formProblem(err, "confirm").confirm!);
      }
      await endSession(deps, c);
      return c.redirect("/", 303);
    });
  });

  async function tokensPage(c: WebContext, create?: { values: Record<string, string>; errors: Record<string, string> }, status: 200 | 400 = 200) {
    const tokens = await listAppTokens(deps, me(c).id, { expiringSoon: false, lifetimeSeconds: deps.config.appTokenLifetime });
    return page(c, <TokensPage chrome={await chrome(deps, c)} tokens={tokens} now={deps.clock.now()} create={create} />, status);
  }

  app.get("/settings/tokens", (c) => tokensPage(c, c.req.query("create") !== undefined ? { values: {}, errors: {} } : undefined));

  app.post("/settings/tokens", async (c) => {
    const title = String((await c.req.parseBody()).title ?? "").trim();
    if (title === "") return tokensPage(c, { values: { title }, errors: { title: "Enter a title for the token" } }, 400);
    return withFreshLogin(deps, c, "/settings/tokens", async () => {
      const token = await createAppToken(deps, me(c), title, deps.config.appTokenLifetime, actor(c));
      return c.redirect(`/settings/tokens/${token.uuid}?created=1`, 303);
    });
  });

  // A token's page shows its secret: a stale session confirms its password first (posted here).
  app.post("/settings/tokens/:uuid", (c) => withFreshLogin(deps, c, "/settings/tokens", async () => c.redirect(c.req.path, 303)));

  app.get("/settings/tokens/:uuid", async (c) => {
    const token = await findAppToken(deps.db, me(c).id, c.req.param("uuid"));
    if (!token) return notFoundPage(deps, c);
    return withFreshLogin(deps, c, "/settings/tokens", async () => {
      const host = serviceName(deps.config, new URL(c.req.url));
      const created = c.req.query("created") !== undefined;
      return page(c, <TokenPage chrome={await chrome(deps, c)} token={token} username={me(c).username} registryHost={host} created={created} />);
    });
  });

  app.get("/settings/tokens/:uuid/revoke", async (c) => {
    const token = await findAppToken(deps.db, me(c).id, c.req.param("uuid"));
    if (!token) return notFoundPage(deps, c);
    return page(c, <RevokeTokenPage chrome={await chrome(deps, c)} token={token} />);
  });

  app.post("/settings/tokens/:uuid/revoke", (c) =>
    withFreshLogin(deps, c, "/settings/tokens", async () => {
      if (!(await revokeAppToken(deps, me(c), c.req.param("uuid"), actor(c)))) return notFoundPage(deps, c);
      return c.redirect("/settings/tokens", 303);
    }),
  );

  return app;
}
