// Test helper: a browser without a browser for in-process tests of the HTML door. It keeps
// cookies between requests and fills in forms' CSRF field from the page it just fetched.
import type { Hono } from "hono";

export class PageClient {
  readonly cookies = new Map<string, string>();

  constructor(private readonly app: Hono) {}

  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0 && !headers.has("cookie")) {
      headers.set("cookie", [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "));
    }
    const res = await this.app.request(path, { ...init, headers });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const eq = pair!.indexOf("=");
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (/max-age=0\b/i.test(line) || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    return this.request(path, { headers });
  }

  /** POSTs fields as a form, exactly as given (no CSRF token added). */
  post(path: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
    return this.request(path, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
      body: new URLSearchParams(fields).toString(),
    });
  }

  /** Loads `pagePath`, takes the CSRF token from its form, and posts `fields` to `action`. */
  async submit(pagePath: string, action: string, fields: Record<string, string>): Promise<Response> {
    const page = await this.get(pagePath);
    const token = csrfFieldOf(await page.text());
    return this.post(action, { _csrf: token, ...fields });
  }
}

/** The value of the first `_csrf` hidden field in a page. */
export function csrfFieldOf(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error("page has no _csrf field");
  return match[1]!;
}

/** The message under a form field, and whether it is shown as an error (null when none). */
export function fieldMessage(html: string, name: string): { error: boolean; text: string } | null {
  const match = new RegExp(
    `<div class="pf-v6-c-helper-text__item( pf-m-error)?" id="field-${name}-helper">[\\s\\S]*?<span class="pf-v6-c-helper-text__item-text">([^<]*)<`,
  ).exec(html);
  return match ? { error: match[1] !== undefined, text: match[2]! } : null;
}

/** A client signed in as one of testEnv's users (whose password is "password-<username>"). */
export async function signedInClient(app: Hono, username: string): Promise<PageClient> {
  const browser = new PageClient(app);
  const res = await browser.submit("/signin", "/signin", { username, password: `password-${username}` });
  if (res.status !== 303) throw new Error(`signing in as ${username} answered ${res.status}`);
  return browser;
}

/**
 * A client signed in the way Quay scripts do it (GET /csrf_token, then POST /api/v1/signin),
 * with the CSRF token its later writes must carry (the sign-in's X-Next-CSRF-Token).
 */
export async function scriptSignedInClient(app: Hono, username: string): Promise<{ client: PageClient; csrf: string }> {
  const client = new PageClient(app);
  const { csrf_token } = (await (await client.get("/csrf_token")).json()) as { csrf_token: string };
  const res = await client.request("/api/v1/signin", {
    method: "POST",
    headers: { "content-type": "application/json", "X-CSRF-Token": csrf_token },
    body: JSON.stringify({ username, password: `password-${username}` }),
  });
  if (res.status !== 200) throw new Error(`signing in as ${username} answered ${res.status}`);
  return { client, csrf: res.headers.get("X-Next-CSRF-Token")! };
}
