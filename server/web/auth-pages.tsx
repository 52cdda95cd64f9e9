// Accounts in the browser: first-run setup, sign-in, sign-out and open sign-up. Thin: parse the
// form, ask server/domain, re-render with inline errors or start a session and redirect.
import { Hono } from "hono";
import { z } from "zod";
import { SetupPage } from "../../views/pages/setup.tsx";
import { SignInPage } from "../../views/pages/signin.tsx";
import { SignUpPage } from "../../views/pages/signup.tsx";
import type { AppDeps } from "../deps.ts";
import { endSession, startSession } from "../auth/session-cookie.ts";
import { clientIp } from "../client-ip.ts";
import { DomainError, retryAfterOf } from "../domain/errors.ts";
import { authenticate, createUser, initializeFirstUser, newUserProblems, type User } from "../domain/accounts/users.ts";
import { formToken } from "./csrf.ts";
import { chrome, notFoundPage, page, waitText } from "./render.tsx";
import type { WebContext, WebEnv } from "./session.ts";
import type { FirstRun } from "./first-run.ts";

/** Form fields arrive as strings (or files, or repeats, which we treat as blank). */
const field = z.string().catch("");

const accountForm = z.object({
  username: field.transform((s) => s.trim()),
  email: field.transform((s) => s.trim()),
  password: field,
});

const signInForm = z.object({
  username: field.transform((s) => s.trim()),
  password: field,
  next: field,
});

/** Only a path on this site, never `//evil.example` or a full URL: no open redirects. */
export function safeNext(next: string | undefined): string | null {
  return next && /^\/(?![/\\])[\x21-\x7e]*$/.test(next) ? next : null;
}

/** Maps the domain's refusal of a new account to the field it concerns. */
function accountErrors(err: unknown): Record<string, string> | null {
  if (!(err instanceof DomainError)) return null;
  // Both carry field → message: bad input, or a username or email address already in use.
  if ((err.code === "INVALID_REQUEST" || err.code === "CONFLICT") && err.detail && typeof err.detail === "object") {
    return err.detail as Record<string, string>;
  }
  return null;
}

export function authPages(deps: AppDeps, firstRun: FirstRun): Hono<WebEnv> {
  const app = new Hono<WebEnv>();
  const actor = (c: WebContext) => ({ principal: c.get("principal"), ip: clientIp(c, deps.config) });

  // --- first run -------------------------------------------------------------------------

  const renderSetup = async (c: WebContext, values = { username: "", email: "" }, errors = {}, status: 200 | 400 = 200) =>
    page(c, <SetupPage chrome={await chrome(deps, c)} csrfToken={formToken(deps, c)} values={values} errors={errors} />, status);

  app.get("/setup", async (c) => {
    if (!deps.config.features.userInitialize) return notFoundPage(deps, c);
    if (!(await firstRun.needed())) return c.redirect("/", 302);
    return renderSetup(c);
  });

  app.post("/setup", async (c) => {
    if (!deps.config.features.userInitialize) return notFoundPage(deps, c);
    if (!(await firstRun.needed())) return c.redirect("/signin", 303);
    const form = accountForm.parse(await c.req.parseBody());
    const values = { username: form.username, email: form.email };
    const problems = newUserProblems(form);
    if (Object.keys(problems).length > 0) return renderSetup(c, values, problems, 400);
    try {
      const user = await initializeFirstUser(deps.db, form, actor(c));
      firstRun.done();
      await startSession(deps, c, user);
      return c.redirect("/", 303);
    } catch (err) {
      // Someone else completed setup between our check and our insert.
      if (err instanceof DomainError && err.code === "CONFLICT") return c.redirect("/signin", 303);
      const errors = accountErrors(err);
      if (errors) return renderSetup(c, values, errors, 400);
      throw err;
    }
  });

  // --- sign-in / sign-out ----------------------------------------------------------------

  const renderSignIn = async (c: WebContext, username: string, next: string | null, errors = {}, status: 200 | 400 | 401 | 429 = 200) =>
    page(
      c,
      <SignInPage chrome={await chrome(deps, c)} csrfToken={formToken(deps, c)} username={username} next={next} errors={errors} />,
      status,
    );

  app.get("/signin", async (c) => {
    const next = safeNext(c.req.query("next"));
    if (c.get("session")) return c.redirect(next ?? "/", 302);
    if (await firstRun.needed()) return c.redirect("/setup", 302);
    return renderSignIn(c, "", next);
  });

  app.post("/signin", async (c) => {
    const form = signInForm.parse(await c.req.parseBody());
    const next = safeNext(form.next);
    const errors: Record<string, string> = {};
    if (!form.username) errors.username = "Enter your username";
    if (!form.password) errors.password = "Enter your password";
    if (Object.keys(errors).length > 0) return renderSignIn(c, form.username, next, errors, 400);
    let user: User | null;
    try {
      user = await authenticate(deps, { username: form.username, password: form.password, ip: clientIp(c, deps.config) });
    } catch (err) {
      if (!(err instanceof DomainError && err.code === "TOO_MANY_REQUESTS")) throw err;
      const wait = retryAfterOf(err);
      c.header("Retry-After", String(wait));
      const message = `Too many sign-in attempts. Try again in ${waitText(wait)}.`;
      return renderSignIn(c, form.username, next, { password: message }, 429);
    }
    if (!user) return renderSignIn(c, form.username, next, { password: "Invalid username or password" }, 401);
    await startSession(deps, c, user);
    return c.redirect(next ?? "/", 303);
  });

  app.post("/signout", async (c) => {
    await endSession(deps, c);
    return c.redirect("/", 303);
  });

  // --- open sign-up ----------------------------------------------------------------------

  const renderSignUp = async (c: WebContext, values = { username: "", email: "" }, errors = {}, status: 200 | 400 | 409 = 200) =>
    page(c, <SignUpPage chrome={await chrome(deps, c)} csrfToken={formToken(deps, c)} values={values} errors={errors} />, status);

  app.get("/signup", async (c) => {
    if (!deps.config.features.openSignup) return notFoundPage(deps, c);
    if (c.get("session")) return c.redirect("/", 302);
    if (await firstRun.needed()) return c.redirect("/setup", 302);
    return renderSignUp(c);
  });

  app.post("/signup", async (c) => {
    if (!deps.config.features.openSignup) return notFoundPage(deps, c);
    // The first account must come through setup, which makes it the administrator.
    if (await firstRun.needed()) return c.redirect("/setup", 303);
    const form = accountForm.parse(await c.req.parseBody());
    const values = { username: form.username, email: form.email };
    const problems = newUserProblems(form);
    if (Object.keys(problems).length > 0) return renderSignUp(c, values, problems, 400);
    try {
      const user = await createUser(deps.db, form, actor(c));
      firstRun.done();
      await startSession(deps, c, user);
      return c.redirect("/", 303);
    } catch (err) {
      const errors = accountErrors(err);
      if (errors) return renderSignUp(c, values, errors, err instanceof DomainError && err.code === "CONFLICT" ? 409 : 400);
      throw err;
    }
  });

  return app;
}
