// The browser's side of Quay's fresh login (domain/accounts/fresh-login.ts): a sensitive form
// posted from a session that signed in too long ago is answered with "Confirm your password",
// which posts the same form again with the password; then the session starts anew (a fresh
// sign-in, as `POST /api/v1/signin/verify` does for scripts) and the change goes ahead.
import { ConfirmPasswordPage } from "../../views/pages/confirm-password.tsx";
import { startSession } from "../auth/session-cookie.ts";
import { clientIp } from "../client-ip.ts";
import type { AppDeps } from "../deps.ts";
import { isFreshSignIn } from "../domain/accounts/fresh-login.ts";
import { authenticate } from "../domain/accounts/users.ts";
import { CSRF_FIELD } from "./csrf.ts";
import { chrome, page } from "./render.tsx";
import type { WebContext } from "./session.ts";

const PASSWORD_FIELD = "fresh_password";

/**
 * Runs `change` at once for a fresh session; otherwise asks for the password first (`cancelHref`
 * is where Cancel goes) and runs it once the password is right. The failed-login limits apply.
 * The password is posted to the same path: a page (GET) guarded this way needs a POST route
 * that sends the browser back to it once confirmed.
 */
export async function withFreshLogin(
  deps: AppDeps,
  c: WebContext,
  cancelHref: string,
  change: () => Promise<Response>,
): Promise<Response> {
  const session = c.get("session")!;
  const now = deps.clock.now();
  if (isFreshSignIn(session.createdAt, now)) return change();
  const body = await c.req.parseBody();
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(body)) {
    if (typeof value === "string" && name !== CSRF_FIELD && name !== PASSWORD_FIELD) fields[name] = value;
  }
  const ask = async (error?: string) =>
    page(c, <ConfirmPasswordPage chrome={await chrome(deps, c)} action={c.req.path} fields={fields} cancelHref={cancelHref} error={error} />, error ? 400 : 200);
  const password = body[PASSWORD_FIELD];
  if (typeof password !== "string") return ask();
  if (password === "") return ask("Enter your password");
  const user = await authenticate(deps, { username: session.user.username, password, ip: clientIp(c, deps.config) });
  if (!user || user.id !== session.user.id) return ask("The password is not right");
  const csrfToken = await startSession(deps, c, user);
  c.set("session", { user, csrfToken, createdAt: now });
  return change();
}
