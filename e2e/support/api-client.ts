// A small client for /api/v1 in integration tests: JSON requests over app.request() as an
// OAuth token holder, a browser session (cookie + CSRF header) or nobody.
import { createAccessToken } from "../../server/domain/accounts/oauth-tokens.ts";
import { eq } from "drizzle-orm";
import { sessions } from "../../db/schema.ts";
import { secretHash } from "../../server/auth/secrets.ts";
import { createSession, SESSION_COOKIE } from "../../server/auth/sessions.ts";
import type { User } from "../../server/domain/accounts/users.ts";
import type { TestEnv } from "./test-app.ts";

export type ApiAuth =
  | { kind: "anonymous" }
  | { kind: "token"; token: string }
  | { kind: "session"; cookie: string; csrfToken: string; sendCsrf?: boolean };

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

export class ApiClient {
  constructor(
    private readonly env: TestEnv,
    readonly auth: ApiAuth = { kind: "anonymous" },
  ) {}

  /** A client whose session writes leave out the CSRF header. */
  withoutCsrf(): ApiClient {
    return this.auth.kind === "session" ? new ApiClient(this.env, { ...this.auth, sendCsrf: false }) : this;
  }

  async request<T = unknown>(method: string, path: string, body?: unknown): Promise<ApiResponse<T>> {
    const headers = new Headers();
    if (this.auth.kind === "token") headers.set("authorization", `Bearer ${this.auth.token}`);
    if (this.auth.kind === "session") {
      headers.set("cookie", `${SESSION_COOKIE}=${this.auth.cookie}`);
      if (this.auth.sendCsrf !== false) headers.set("x-csrf-token", this.auth.csrfToken);
    }
    if (body !== undefined) headers.set("content-type", "application/json");
    const res = await this.env.app.request(`/api/v1${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: (text === "" ? undefined : JSON.parse(text)) as T };
  }

  get<T = unknown>(path: string) {
    return this.request<T>("GET", path);
  }
  post<T = unknown>(path: string, body?: unknown) {
    return this.request<T>("POST", path, body);
  }
  put<T = unknown>(path: string, body?: unknown) {
    return this.request<T>("PUT", path, body);
  }
  delete<T = unknown>(path: string) {
    return this.request<T>("DELETE", path);
  }
}

/** One /api/v1 call over HTTP to a running server (e2e tests), as the holder of an OAuth token. */
export async function callApi<T = unknown>(
  baseUrl: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${baseUrl}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text === "" ? undefined : JSON.parse(text)) as T };
}

/** A client holding an OAuth token with these scopes for the user. */
export async function tokenClient(env: TestEnv, user: User, scopes: string[]): Promise<ApiClient> {
  const token = await createAccessToken(env.deps.db, user.id, null, scopes);
  return new ApiClient(env, { kind: "token", token });
}

/** A client signed in with a browser session. */
export async function sessionClient(env: TestEnv, user: User): Promise<ApiClient> {
  const { cookie, csrfToken } = await createSession(env.deps.db, user.id, new Date());
  return new ApiClient(env, { kind: "session", cookie, csrfToken });
}

/** Makes a session's sign-in older than Quay's fresh-login window (eleven minutes ago). */
export async function ageSession(env: Pick<TestEnv, "deps">, cookie: string): Promise<void> {
  const longAgo = new Date(env.deps.clock.now().getTime() - 11 * 60_000);
  await env.deps.db.update(sessions).set({ createdAt: longAgo }).where(eq(sessions.idHash, secretHash(cookie)));
}

/** A client whose session signed in longer ago than the fresh-login window. */
export async function staleSessionClient(env: TestEnv, user: User): Promise<ApiClient> {
  const { cookie, csrfToken } = await createSession(env.deps.db, user.id, new Date());
  await ageSession(env, cookie);
  return new ApiClient(env, { kind: "session", cookie, csrfToken });
}

/** Quay's problem+json error body for a status and title, as /api/v1 renders it in tests. */
export function problem(status: number, title: string, detail: string, extra: Record<string, unknown> = {}) {
  return {
    ...extra,
    status,
    title,
    detail,
    error_message: detail,
    error_type: title,
    type: `http://registry.test/api/v1/error/${title}`,
  };
}
