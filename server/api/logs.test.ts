// /api/v1 usage logs and aggregate counts in Quay's shapes, with its scopes and refusals.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog } from "../../db/schema.ts";
import { ApiClient, problem, sessionClient, tokenClient } from "../../e2e/support/api-client.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";
import { createOrganization, type Organization } from "../domain/accounts/organizations.ts";
import { toPrincipal, type User } from "../domain/accounts/users.ts";
import { createRepository, type Repository } from "../domain/repositories/repositories.ts";

let env: TestEnv;
let alice: User;
let bob: User;
let org: Organization;
let repo: Repository;
let api: ApiClient;

const RFC2822 = /^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} -0000$/;
const DAY = 24 * 3600 * 1000;
const midnight = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
const quayDay = (d: Date) => `${String(d.getUTCMonth() + 1).padStart(2, "0")}/${String(d.getUTCDate()).padStart(2, "0")}/${d.getUTCFullYear()}`;
const today = midnight(new Date());
const yesterday = new Date(today.getTime() - DAY);
const range = `starttime=${quayDay(yesterday)}&endtime=${quayDay(today)}`;

beforeAll(async () => {
  env = await testEnv();
  alice = await env.user("alice");
  bob = await env.user("bob");
  api = await sessionClient(env, alice);
  org = await createOrganization(env.deps.db, { name: "acme" }, { principal: toPrincipal(alice) });
  repo = await createRepository(env.deps.db, { principal: toPrincipal(alice) }, { namespace: "acme", name: "app", visibility: "private" });
  const rows = [];
  for (let i = 0; i < 25; i++) {
    rows.push({ kind: "push_repo", namespaceId: org.namespaceId, repositoryId: repo.id, performerId: alice.id, ip: "10.1.2.3", createdAt: new Date(yesterday.getTime() + 3600_000 + i), metadata: { repo: "app", namespace: "acme", tag: `v${i}` } });
  }
  // Newest of all (after the rows the setup itself wrote).
  const latest = new Date(Date.now() + 1000);
  rows.push({ kind: "delete_tag", namespaceId: org.namespaceId, repositoryId: repo.id, performerId: bob.id, createdAt: latest, metadata: { tag: "old" } });
  rows.push({ kind: "change_repo_visibility", namespaceId: alice.namespaceId, performerId: alice.id, createdAt: latest, metadata: {} });
  // Outside the range: three days ago.
  rows.push({ kind: "push_repo", namespaceId: org.namespaceId, repositoryId: repo.id, performerId: alice.id, createdAt: new Date(today.getTime() - 3 * DAY), metadata: {} });
  await env.deps.db.insert(auditLog).values(rows);
});
afterAll(() => env.close());

interface LogsBody {
  start_time: string;
  end_time: string;
  logs: { kind: string; metadata: Record<string, unknown>; ip: string | null; datetime: string; performer?: Record<string, unknown> }[];
  next_page?: string;
}

describe("usage logs", () => {
  it("lists a repository's logs 20 a page, newest first, in Quay's shape, with next_page to the end", async () => {
    const first = await api.get<LogsBody>(`/repository/acme/app/logs?${range}`);
    expect(first.status).toBe(200);
    expect(first.body.start_time).toBe(yesterday.toUTCString().replace("GMT", "-0000"));
    expect(first.body.end_time).toBe(new Date(today.getTime() + DAY).toUTCString().replace("GMT", "-0000"));
    expect(first.body.logs).toHaveLength(20);
    expect(first.body.logs[0]).toEqual({
      kind: "delete_tag",
      metadata: { tag: "old" },
      ip: null,
      datetime: expect.stringMatching(RFC2822),
      performer: { kind: "user", name: "bob", is_robot: false, avatar: expect.objectContaining({ name: "bob", kind: "user" }) },
    });
    expect(first.body.logs.map((l) => l.kind)).toContain("create_repo");
    expect(first.body.logs.find((l) => l.kind === "push_repo")).toMatchObject({ ip: "10.1.2.3", metadata: { tag: "v24" } });
    expect(first.body.logs[0]).not.toHaveProperty("namespace");
    const second = await api.get<LogsBody>(`/repository/acme/app/logs?${range}&next_page=${first.body.next_page}`);
    // 25 pushes, the setup's create_repo and the delete: page two ends with the oldest push.
    expect(second.body.logs.at(-1)).toMatchObject({ kind: "push_repo", metadata: { tag: "v0" } });
    expect(first.body.logs.length + second.body.logs.length).toBe(27);
    expect(second.body).not.toHaveProperty("next_page");
  });

  it("lists an organization's logs (with the performer filter) and the caller's own", async () => {
    const all = await api.get<LogsBody>(`/organization/acme/logs?${range}`);
    expect(all.status).toBe(200);
    expect(all.body.logs.length).toBe(20);
    const byBob = await api.get<LogsBody>(`/organization/acme/logs?${range}&performer=bob`);
    expect(byBob.body.logs.map((l) => l.kind)).toEqual(["delete_tag"]);
    const mine = await api.get<LogsBody>(`/user/logs?${range}`);
    expect(mine.status).toBe(200);
    expect(mine.body.logs.map((l) => l.kind)).toEqual(["change_repo_visibility", "user_create"]);
  });

  it("defaults to the last day and answers 400 for an end before the start", async () => {
    const recent = await api.get<LogsBody>("/repository/acme/app/logs");
    expect(recent.status).toBe(200);
    expect(recent.body.logs.map((l) => l.kind)).toContain("delete_tag");
    const backwards = await api.get(`/repository/acme/app/logs?starttime=${quayDay(today)}&endtime=${quayDay(new Date(today.getTime() - 3 * DAY))}`);
    expect(backwards.status).toBe(400);
    expect(backwards.body).toEqual({ message: "The browser (or proxy) sent a request that this server could not understand." });
  });

  it("counts per kind and day", async () => {
    const res = await api.get<{ aggregated: unknown[] }>(`/organization/acme/aggregatelogs?${range}`);
    expect(res.status).toBe(200);
    expect(res.body.aggregated).toEqual(
      expect.arrayContaining([
        { kind: "push_repo", count: 25, datetime: yesterday.toUTCString().replace("GMT", "-0000") },
        { kind: "delete_tag", count: 1, datetime: today.toUTCString().replace("GMT", "-0000") },
      ]),
    );
    const repoCounts = await api.get<{ aggregated: { count: number }[] }>(`/repository/acme/app/aggregatelogs?${range}`);
    expect(repoCounts.body.aggregated.reduce((n, c) => n + c.count, 0)).toBe(27);
    const userCounts = await api.get<{ aggregated: unknown[] }>(`/user/aggregatelogs?${range}`);
    expect(userCounts.body.aggregated).toContainEqual({ kind: "change_repo_visibility", count: 1, datetime: today.toUTCString().replace("GMT", "-0000") });
  });

  it("needs repo:admin, org:admin and user:admin, and admin rights", async () => {
    const anonymous = new ApiClient(env);
    expect((await anonymous.get("/repository/acme/app/logs")).body).toEqual(problem(401, "invalid_token", "Requires authentication"));
    expect((await anonymous.get("/user/logs")).status).toBe(401);
    const refused = problem(403, "insufficient_scope", "Unauthorized");

    const repoRead = await tokenClient(env, alice, ["repo:read", "org:admin", "user:admin"]);
    expect((await repoRead.get("/repository/acme/app/logs")).body).toEqual(refused);
    expect((await repoRead.get("/repository/acme/app/aggregatelogs")).body).toEqual(refused);
    const repoAdmin = await tokenClient(env, alice, ["repo:admin"]);
    expect((await repoAdmin.get("/repository/acme/app/logs")).status).toBe(200);
    expect((await repoAdmin.get("/repository/acme/nothing/logs")).status).toBe(404);
    expect((await repoAdmin.get("/organization/acme/logs")).body).toEqual(refused);
    expect((await repoAdmin.get("/user/logs")).body).toEqual(refused);

    const orgAdmin = await tokenClient(env, alice, ["org:admin"]);
    expect((await orgAdmin.get("/organization/acme/logs")).status).toBe(200);
    expect((await orgAdmin.get("/organization/acme/aggregatelogs")).status).toBe(200);
    expect((await orgAdmin.get("/organization/nobody/logs")).body).toEqual(refused);
    const userAdmin = await tokenClient(env, alice, ["user:admin"]);
    expect((await userAdmin.get("/user/logs")).status).toBe(200);
    expect((await userAdmin.get("/user/aggregatelogs")).status).toBe(200);

    const bobApi = await sessionClient(env, bob);
    expect((await bobApi.get("/organization/acme/logs")).body).toEqual(refused);
    expect((await bobApi.get("/repository/acme/app/logs")).body).toEqual(refused);
    expect((await bobApi.post("/user/logs")).status).toBe(405);
  });

  it("refuses bad export requests with Quay's 400s and records export_logs_failure", async () => {
    const invalid = problem(400, "invalid_request", "Invalid callback URL");
    for (const url of ["ftp://example.com/x", "http://127.0.0.1:9/cb", "http://localhost/cb", "http://10.0.0.1/cb", "http://[::1]/cb", "not a url"]) {
      const res = await api.post(`/user/exportlogs`, { callback_url: url });
      expect(res.status, url).toBe(400);
      expect(res.body, url).toEqual(invalid);
    }
    expect((await api.post("/organization/acme/exportlogs", { callback_email: "nobody" })).body).toEqual(
      problem(400, "invalid_request", "Invalid callback e-mail"),
    );
    const backwards = await api.post(`/repository/acme/app/exportlogs?starttime=${quayDay(today)}&endtime=${quayDay(new Date(today.getTime() - 3 * DAY))}`, {
      callback_email: "a@example.com",
    });
    expect(backwards.body).toEqual(problem(400, "invalid_request", "Invalid time span selected"));
    const failures = await env.deps.db.select().from(auditLog).where(eq(auditLog.kind, "export_logs_failure"));
    expect(failures).toHaveLength(8);
    expect(failures.find((f) => f.repositoryId === repo.id)?.metadata).toEqual({
      repo: "app",
      error: "Invalid time span selected",
      url: null,
      email: "a@example.com",
    });
    expect((await api.post("/user/exportlogs")).body).toEqual(problem(400, "invalid_request", "Missing JSON body"));
  });

  it("exports need the same scopes and rights as the logs", async () => {
    const refused = problem(403, "insufficient_scope", "Unauthorized");
    const repoRead = await tokenClient(env, alice, ["repo:read", "user:read"]);
    expect((await repoRead.post("/repository/acme/app/exportlogs", { callback_email: "a@example.com" })).body).toEqual(refused);
    expect((await repoRead.post("/user/exportlogs", { callback_email: "a@example.com" })).body).toEqual(refused);
    expect((await repoRead.post("/organization/acme/exportlogs", { callback_email: "a@example.com" })).body).toEqual(refused);
    const bobApi = await sessionClient(env, bob);
    expect((await bobApi.post("/organization/acme/exportlogs", { callback_email: "a@example.com" })).body).toEqual(refused);
    // Anonymous writes stop at the CSRF check, as every anonymous API write does.
    expect((await new ApiClient(env).post("/user/exportlogs", { callback_email: "a@example.com" })).status).toBe(403);
    expect((await api.get("/user/exportlogs")).status).toBe(405);
  });
});
