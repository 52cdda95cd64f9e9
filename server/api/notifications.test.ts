// /api/v1/repository/{repo}/notification/… and …/authorizedemail/{email}: Quay's shapes, status
// codes, refusals (each method's configuration checked as Quay checks it) and log rows.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog, repositoryNotifications } from "../../db/schema.ts";
import { ApiClient, problem, sessionClient, tokenClient } from "../../e2e/support/api-client.ts";
import { type SmtpSink, startSmtpSink } from "../../e2e/support/smtp-sink.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";
import type { User } from "../domain/accounts/users.ts";
import { confirmEmailAuthorization } from "../domain/notifications/authorized-emails.ts";
import { type DeliveryJob, NOTIFICATION_DELIVERY_QUEUE } from "../domain/notifications/delivery.ts";

let env: TestEnv;
let smtp: SmtpSink;
let api: ApiClient;
let bobApi: ApiClient;
let alice: User;

beforeAll(async () => {
  smtp = await startSmtpSink();
  env = await testEnv({ QUAYSIDE_SMTP_URL: smtp.url, QUAYSIDE_SSRF_ALLOWED_HOSTS: "127.0.0.1:9" });
  alice = await env.user("alice");
  const bob = await env.user("bob");
  await env.user("carl");
  api = await sessionClient(env, alice);
  bobApi = await sessionClient(env, bob);
  await api.post("/organization/", { name: "acme" });
  await api.put("/organization/acme/team/crew", { role: "member" });
  await api.post("/repository", { namespace: "acme", repository: "app", visibility: "public", description: "" });
  await api.post("/repository", { namespace: "alice", repository: "mine", visibility: "private", description: "" });
  await api.put("/repository/acme/app/permissions/user/bob", { role: "write" });
});
afterAll(async () => {
  await env?.close();
  await smtp?.close();
});

const BASE = "/repository/acme/app/notification/";
const webhook = { event: "repo_push", method: "webhook", config: { url: "https://hooks.example.com/quay" }, eventConfig: {} };
const logged = async (kind: string) => (await env.deps.db.select().from(auditLog).where(eq(auditLog.kind, kind))).map((r) => r.metadata);
const refused = (detail: string) => ({ status: 400, body: problem(400, "invalid_request", detail) });

describe("repository notifications API", () => {
  it("lists none as an empty list", async () => {
    expect(await api.get(BASE)).toMatchObject({ status: 200, body: { notifications: [] } });
  });

  it("creates, lists and reads a notification in Quay's shape, logging add_repo_notification", async () => {
    const created = await api.post<{ uuid: string }>(BASE, { ...webhook, title: "Deploy hook" });
    expect(created.status).toBe(201);
    const view = {
      uuid: created.body.uuid,
      title: "Deploy hook",
      event: "repo_push",
      method: "webhook",
      config: { url: "https://hooks.example.com/quay" },
      event_config: {},
      number_of_failures: 0,
    };
    expect(created.body).toEqual(view);
    expect((await api.get(BASE)).body).toEqual({ notifications: [view] });
    expect(await api.get(`${BASE}${view.uuid}`)).toMatchObject({ status: 200, body: view });
    expect(await logged("add_repo_notification")).toContainEqual({
      repo: "app",
      namespace: "acme",
      notification_id: view.uuid,
      event: "repo_push",
      method: "webhook",
    });
  });

  it.each([
    [{ ...webhook, config: {} }, "Missing webhook URL"],
    [{ ...webhook, config: { url: "ftp://hooks.example.com/" } }, "Invalid webhook URL"],
    [{ ...webhook, config: { url: "http://localhost:8080/hook" } }, "Invalid webhook URL"],
    [{ ...webhook, config: { url: "http://127.0.0.1/hook" } }, "Invalid webhook URL"],
    [{ ...webhook, config: { url: "https://hooks.example.com/", template: "{not json" } }, expect.stringContaining("Could not parse template")],
    [{ ...webhook, config: { url: "https://hooks.example.com/", template: '{"a": "${}"}' } }, "Empty expression found"],
    [{ ...webhook, method: "slack", config: {} }, "Missing Slack Callback URL"],
    [{ ...webhook, method: "slack", config: { url: "hooks.slack.com" } }, "Invalid Slack Callback URL"],
    [{ ...webhook, method: "flowdock", config: {} }, "Missing Flowdock API Token"],
    [{ ...webhook, method: "hipchat", config: { room_id: "1" } }, "Missing Hipchat Room Notification Token"],
    [{ ...webhook, method: "hipchat", config: { notification_token: "t" } }, "Missing Hipchat Room ID"],
    [{ ...webhook, method: "email", config: {} }, "Missing e-mail address"],
    [{ ...webhook, method: "email", config: { email: "ops@example.com" } }, "The specified e-mail address is not authorized to receive notifications for this repository"],
    [{ ...webhook, method: "quay_notification", config: {} }, "Missing target"],
    [{ ...webhook, method: "quay_notification", config: { target: { kind: "user", name: "nobody" } } }, "Unknown user nobody"],
    [{ ...webhook, method: "quay_notification", config: { target: { kind: "org", name: "alice" } } }, "Unknown organization alice"],
    [{ ...webhook, method: "quay_notification", config: { target: { kind: "team", name: "ghosts" } } }, "Unknown team ghosts"],
    [{ ...webhook, event: "repo_deleted" }, "Unknown event repo_deleted"],
    [{ ...webhook, method: "pager" }, "Unknown notification method pager"],
    [{ ...webhook, event: "vulnerability_found", eventConfig: { level: 9 } }, "Invalid vulnerability level"],
    [{ ...webhook, event: "build_success", eventConfig: { "ref-regex": "(" } }, "Invalid ref regex"],
    [{ ...webhook, event: "repo_image_expiry", eventConfig: {} }, "Missing number of days"],
    [{ ...webhook, event: "repo_image_expiry", eventConfig: { days: -2 } }, "The number of days must be a whole number from 1 to 3650"],
  ])("refuses %j: %s", async (body, message) => {
    const res = await api.post(BASE, body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error_type: "invalid_request", error_message: message });
  });

  it("refuses a request without one of the four required keys", async () => {
    const { eventConfig: _, ...incomplete } = webhook;
    expect(await api.post(BASE, incomplete)).toMatchObject({ status: 400, body: { error_type: "invalid_request" } });
  });

  it("accepts each method's valid configuration and normalises the event filter", async () => {
    const ok = [
      { ...webhook, config: { url: "http://127.0.0.1:9/hook" } }, // an allowed host (QUAYSIDE_SSRF_ALLOWED_HOSTS)
      { ...webhook, method: "slack", config: { url: "https://hooks.slack.com/services/T/B/X" } },
      { ...webhook, method: "flowdock", config: { flow_api_token: "tok" } },
      { ...webhook, method: "hipchat", config: { notification_token: "tok", room_id: "42" } },
      { ...webhook, method: "quay_notification", config: { target: { kind: "user", name: "carl" } } },
      { ...webhook, method: "quay_notification", config: { target: { kind: "org", name: "acme" } } },
      { ...webhook, method: "quay_notification", config: { target: { kind: "team", name: "crew" } } },
      { ...webhook, config: { url: "https://hooks.example.com/", template: '{"text": "pushed ${updated_tags}"}' } },
    ];
    for (const body of ok) expect((await api.post(BASE, body)).status, JSON.stringify(body)).toBe(201);
    const vuln = await api.post(BASE, { ...webhook, event: "vulnerability_found", eventConfig: { level: "1" } });
    expect(vuln.body).toMatchObject({ event_config: { level: 1 } });
    const expiry = await api.post(BASE, { ...webhook, event: "repo_image_expiry", eventConfig: { days: 7 } });
    expect(expiry.body).toMatchObject({ event_config: { days: 7 } });
  });

  it("refuses an organization target other than the repository's own namespace", async () => {
    await api.post("/organization/", { name: "other" });
    const body = { ...webhook, method: "quay_notification", config: { target: { kind: "org", name: "other" } } };
    expect(await api.post(BASE, body)).toMatchObject(refused("Organization name must match repository namespace"));
  });

  it("resets the failure counter (re-enabling it) with reset_repo_notification, and deletes with delete_repo_notification", async () => {
    const { uuid } = (await api.post<{ uuid: string }>(BASE, webhook)).body;
    await env.deps.db.update(repositoryNotifications).set({ numberOfFailures: 3 }).where(eq(repositoryNotifications.uuid, uuid));
    expect((await api.get(`${BASE}${uuid}`)).body).toMatchObject({ number_of_failures: 3 });
    expect(await api.post(`${BASE}${uuid}`)).toMatchObject({ status: 204 });
    expect((await api.get(`${BASE}${uuid}`)).body).toMatchObject({ number_of_failures: 0 });
    const row = { repo: "app", namespace: "acme", notification_id: uuid, event: "repo_push", method: "webhook" };
    expect(await logged("reset_repo_notification")).toEqual([row]);

    expect(await api.delete(`${BASE}${uuid}`)).toMatchObject({ status: 204 });
    expect(await logged("delete_repo_notification")).toEqual([row]);
    expect(await api.get(`${BASE}${uuid}`)).toMatchObject({ status: 404, body: problem(404, "not_found", "Not Found") });
    const missing = `No repository notification found for: acme, app, ${uuid}`;
    expect(await api.delete(`${BASE}${uuid}`)).toMatchObject(refused(missing));
    expect(await api.post(`${BASE}${uuid}`)).toMatchObject(refused(missing));
    expect(await api.post(`${BASE}${uuid}/test`)).toMatchObject(refused(missing));
  });

  it("answers 404 for a malformed uuid and for another repository's notification", async () => {
    expect((await api.get(`${BASE}not-a-uuid`)).status).toBe(404);
    const { uuid } = (await api.post<{ uuid: string }>("/repository/alice/mine/notification/", webhook)).body;
    expect((await api.get(`${BASE}${uuid}`)).status).toBe(404);
    expect(await api.delete(`${BASE}${uuid}`)).toMatchObject(refused(`No repository notification found for: acme, app, ${uuid}`));
  });

  it("queues a test delivery of the event's sample data and answers {}", async () => {
    const sent: { queue: string; data: object }[] = [];
    env.deps.jobs = { send: async (queue, data) => sent.push({ queue, data }) };
    try {
      const { uuid } = (await api.post<{ uuid: string }>(BASE, webhook)).body;
      expect(await api.post(`${BASE}${uuid}/test`)).toMatchObject({ status: 200, body: {} });
      expect(sent).toEqual([{ queue: NOTIFICATION_DELIVERY_QUEUE, data: expect.objectContaining({ event: "repo_push", test: true }) }]);
      const job = sent[0]!.data as DeliveryJob;
      expect(job.data).toMatchObject({ repository: "acme/app", homepage: expect.stringContaining("http://registry.test/repository/acme/app") });
    } finally {
      env.deps.jobs = undefined;
    }
  });

  it("is for the repository's admins only", async () => {
    expect(await bobApi.get(BASE)).toMatchObject({ status: 403, body: problem(403, "insufficient_scope", "Unauthorized") });
    expect(await bobApi.post(BASE, webhook)).toMatchObject({ status: 403 });
    expect(await new ApiClient(env).get(BASE)).toMatchObject({ status: 401, body: problem(401, "invalid_token", "Requires authentication") });
    const writeToken = await tokenClient(env, alice, ["repo:write"]);
    expect((await writeToken.get(BASE)).status).toBe(403);
    const adminToken = await tokenClient(env, alice, ["repo:admin"]);
    expect((await adminToken.get(BASE)).status).toBe(200);
  });
});

describe("authorized e-mail API", () => {
  const path = (email: string) => `/repository/acme/app/authorizedemail/${encodeURIComponent(email)}`;

  it("mails a confirmation link; once confirmed, an e-mail notification may use the address", async () => {
    expect(await api.get(path("ops@example.com"))).toMatchObject({ status: 404 });
    const asked = await api.post(path("ops@example.com"));
    expect(asked).toMatchObject({ status: 200, body: { email: "ops@example.com", repository: "app", namespace: "acme", confirmed: false } });
    expect((await api.get(path("ops@example.com"))).body).toMatchObject({ confirmed: false });
    const mail = smtp.inbox.findLast((m) => m.to === "ops@example.com")!;
    const body = mail.body.replace(/=\r?\n/g, "").replace(/=3D/g, "=");
    const code = decodeURIComponent(/authrepoemail\?code=([A-Za-z0-9_%-]+)/.exec(body)![1]!);
    expect(body).toContain("http://registry.test/authrepoemail?code=");

    const email = { ...webhook, method: "email", config: { email: "ops@example.com" } };
    expect((await api.post(BASE, email)).status).toBe(400);
    await confirmEmailAuthorization(env.deps.db, code);
    expect((await api.get(path("ops@example.com"))).body).toMatchObject({ confirmed: true });
    expect((await api.post(BASE, email)).status).toBe(201);
    // Asking again for a confirmed address sends nothing more.
    const mails = smtp.inbox.length;
    expect((await api.post(path("ops@example.com"))).body).toMatchObject({ confirmed: true });
    expect(smtp.inbox.length).toBe(mails);
  });

  it("refuses what is not an address, and is for admins only", async () => {
    expect(await api.post(path("nobody"))).toMatchObject(refused("Invalid e-mail address"));
    expect((await bobApi.post(path("bob@example.com"))).status).toBe(403);
  });

  it("does not exist without mail (Quay's MAILING)", async () => {
    const plain = await testEnv();
    try {
      const owner = await plain.user("dora");
      const dora = await sessionClient(plain, owner);
      await dora.post("/repository", { namespace: "dora", repository: "r", visibility: "private", description: "" });
      expect((await dora.post("/repository/dora/r/authorizedemail/x%40example.com")).status).toBe(404);
      expect((await dora.get("/repository/dora/r/authorizedemail/x%40example.com")).status).toBe(404);
    } finally {
      await plain.close();
    }
  });
});
