// Quay's user notifications API over the real door: the list (newest first, page/limit,
// `additional`, dismissed left out, an organization's rows for its admins with `organization`),
// one by uuid, PUT {dismissed}; user:admin required, and nobody reaches another person's.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient, problem, sessionClient, tokenClient } from "../../e2e/support/api-client.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";
import { createOrganization } from "../domain/accounts/organizations.ts";
import { toPrincipal, type User } from "../domain/accounts/users.ts";
import { deliverInApp } from "../domain/notifications/in-app.ts";

let env: TestEnv;
let alice: User;
let bob: User;

interface Note {
  id: string;
  organization: string | null;
  kind: string;
  created: string;
  metadata: Record<string, unknown>;
  dismissed: boolean;
}
interface NoteList {
  notifications: Note[];
  additional: boolean;
}

const pushData = (tag: string, namespace = "alice") => ({ repository: `${namespace}/web`, namespace, name: "web", updated_tags: [tag] });

beforeAll(async () => {
  env = await testEnv();
  alice = await env.user("alice");
  bob = await env.user("bob");
  await createOrganization(env.deps.db, { name: "acme", email: "acme@example.com" }, { principal: toPrincipal(alice) });
  for (const tag of ["a", "b", "c", "d", "e", "f"]) {
    await deliverInApp(env.deps, { repositoryNamespace: "alice", target: { kind: "user", name: "alice" }, kind: "repo_push", metadata: pushData(tag) });
  }
  await deliverInApp(env.deps, { repositoryNamespace: "acme", target: { kind: "org", name: "acme" }, kind: "build_failure", metadata: pushData("org", "acme") });
});
afterAll(() => env.close());

describe("GET /api/v1/user/notifications", () => {
  it("lists the newest five in Quay's shape, with `additional` when more follow", async () => {
    const client = await sessionClient(env, alice);
    const res = await client.get<NoteList>("/user/notifications");
    expect(res.status).toBe(200);
    expect(res.body.additional).toBe(true);
    expect(res.body.notifications).toHaveLength(5);
    const [newest] = res.body.notifications;
    expect(newest).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      organization: "acme",
      kind: "build_failure",
      created: expect.stringMatching(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} -0000$/),
      metadata: pushData("org", "acme"),
      dismissed: false,
    });
    expect(res.body.notifications.slice(1).map((n) => [n.organization, n.metadata.updated_tags])).toEqual([
      [null, ["f"]],
      [null, ["e"]],
      [null, ["d"]],
      [null, ["c"]],
    ]);
  });

  it("pages with page (from 1) and limit", async () => {
    const client = await sessionClient(env, alice);
    const second = await client.get<NoteList>("/user/notifications?page=2&limit=3");
    expect(second.body.notifications.map((n) => n.metadata.updated_tags)).toEqual([["d"], ["c"], ["b"]]);
    expect(second.body.additional).toBe(true);
    const third = await client.get<NoteList>("/user/notifications?page=3&limit=3");
    expect(third.body).toMatchObject({ notifications: [{ metadata: pushData("a") }], additional: false });
    const all = await client.get<NoteList>("/user/notifications?limit=50");
    expect(all.body.notifications).toHaveLength(7);
    expect((await client.get("/user/notifications?page=x")).status).toBe(400);
  });

  it("answers someone with none an empty list, and refuses callers without user:admin", async () => {
    expect((await (await sessionClient(env, bob)).get("/user/notifications")).body).toEqual({ notifications: [], additional: false });
    const readOnly = await tokenClient(env, alice, ["user:read"]);
    expect(await readOnly.get("/user/notifications")).toMatchObject({ status: 403, body: problem(403, "insufficient_scope", "Unauthorized") });
    const anonymous = await new ApiClient(env).get("/user/notifications");
    expect(anonymous.status).toBe(401);
    const admin = await tokenClient(env, alice, ["user:admin"]);
    expect((await admin.get<NoteList>("/user/notifications")).body.notifications).toHaveLength(5);
  });
});

describe("GET/PUT /api/v1/user/notifications/{uuid}", () => {
  it("reads one, dismisses it (gone from the list), and brings it back with a PUT without `dismissed`", async () => {
    const client = await sessionClient(env, alice);
    const [first] = (await client.get<NoteList>("/user/notifications")).body.notifications;
    expect((await client.get<Note>(`/user/notifications/${first!.id}`)).body).toEqual(first);

    const dismissed = await client.put<Note>(`/user/notifications/${first!.id}`, { dismissed: true });
    expect(dismissed.status).toBe(200);
    expect(dismissed.body).toEqual({ ...first, dismissed: true });
    expect((await client.get<Note>(`/user/notifications/${first!.id}`)).body.dismissed).toBe(true);
    expect((await client.get<NoteList>("/user/notifications?limit=50")).body.notifications.map((n) => n.id)).not.toContain(first!.id);

    const back = await client.put<Note>(`/user/notifications/${first!.id}`, {});
    expect(back.body.dismissed).toBe(false);
    expect((await client.put(`/user/notifications/${first!.id}`, { dismissed: "yes" })).status).toBe(400);
  });

  it("is 404 for someone else's notification and for ids that are not one", async () => {
    const [first] = (await (await sessionClient(env, alice)).get<NoteList>("/user/notifications")).body.notifications;
    const asBob = await sessionClient(env, bob);
    expect(await asBob.get(`/user/notifications/${first!.id}`)).toMatchObject({ status: 404, body: problem(404, "not_found", "Not Found") });
    expect((await asBob.put(`/user/notifications/${first!.id}`, { dismissed: true })).status).toBe(404);
    expect((await asBob.get("/user/notifications/not-a-uuid")).status).toBe(404);
    expect((await (await sessionClient(env, alice)).get<Note>(`/user/notifications/${first!.id}`)).body.dismissed).toBe(false);
  });

  it("needs the CSRF token for a session's PUT", async () => {
    const client = await sessionClient(env, alice);
    const [first] = (await client.get<NoteList>("/user/notifications")).body.notifications;
    expect((await client.withoutCsrf().put(`/user/notifications/${first!.id}`, { dismissed: true })).status).toBe(403);
    expect((await client.request("DELETE", `/user/notifications/${first!.id}`)).status).toBe(405);
  });
});
