// A repository's notifications page (Settings → Notifications): the list with each one's state,
// the create dialog (event, method, then their settings; refusals at their field), e-mail
// confirmation by the mailed link, test, re-enable and delete after a question. Admins only.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog, repositoryNotifications } from "../../db/schema.ts";
import { sessionClient } from "../../e2e/support/api-client.ts";
import { fieldMessage, PageClient, signedInClient } from "../../e2e/support/page-client.ts";
import { type SmtpSink, startSmtpSink } from "../../e2e/support/smtp-sink.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";
import { NOTIFICATION_DELIVERY_QUEUE } from "../domain/notifications/delivery.ts";

let env: TestEnv;
let smtp: SmtpSink;
let alice: PageClient;
let bob: PageClient;

const PAGE = "/repository-notifications/acme/app";
const webhookForm = { event: "repo_push", method: "webhook", title: "", url: "https://hooks.example.com/push", template: "" };
const create = (fields: Record<string, string>) => alice.submit(PAGE, PAGE, fields);
const rowsOf = async (path = PAGE) => {
  const html = await (await alice.get(path)).text();
  return [...html.matchAll(/<tr class="pf-v6-c-table__tr" data-testid="notification-row">([\s\S]*?)<\/tr>/g)].map((m) =>
    m[1]!.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").trim(),
  );
};
const stored = () => env.deps.db.select().from(repositoryNotifications);
const logged = async (kind: string) => (await env.deps.db.select().from(auditLog).where(eq(auditLog.kind, kind))).length;

beforeAll(async () => {
  smtp = await startSmtpSink();
  env = await testEnv({ QUAYSIDE_SMTP_URL: smtp.url });
  const owner = await env.user("alice");
  await env.user("bob");
  const api = await sessionClient(env, owner);
  await api.post("/organization/", { name: "acme" });
  await api.post("/repository", { namespace: "acme", repository: "app", visibility: "public", description: "" });
  await api.put("/repository/acme/app/permissions/user/bob", { role: "write" });
  alice = await signedInClient(env.app, "alice");
  bob = await signedInClient(env.app, "bob");
});
afterAll(async () => {
  await env?.close();
  await smtp?.close();
});

describe("repository notifications page", () => {
  it("is linked from the Settings tab for admins, and a 404 for writers and anonymous visitors", async () => {
    expect(await (await alice.get("/repository/acme/app?tab=settings")).text()).toContain(`href="${PAGE}"`);
    expect(await (await bob.get("/repository/acme/app?tab=settings")).text()).not.toContain(`href="${PAGE}"`);
    expect((await bob.get(PAGE)).status).toBe(404);
    expect((await new PageClient(env.app).get(PAGE)).status).toBe(404);
    const uuid = "00000000-0000-0000-0000-000000000000";
    expect((await bob.submit("/repository/acme/app?tab=settings", `/repository-notification-delete/acme/app?uuid=${uuid}`, {})).status).toBe(404);
  });

  it("shows the empty state and a closed create dialog", async () => {
    const html = await (await alice.get(PAGE)).text();
    expect(html).toContain("No notifications yet");
    expect(html).toMatch(/<details class="qs-gap-above" data-testid="create-notification">/);
  });

  it("opens the dialog at the chosen event and method with the settings they need, as a page or as htmx's fragment", async () => {
    const html = await (await alice.get(`${PAGE}?event=repo_image_expiry&method=slack`)).text();
    expect(html).toMatch(/<details class="qs-gap-above" open="" data-testid="create-notification">/);
    expect(html).toContain('name="days"');
    expect(html).toContain('name="url"');
    const fragment = await alice.get(`${PAGE}?event=vulnerability_found&method=hipchat`, { "HX-Request": "true", "HX-Target": "notification-config" });
    const part = await fragment.text();
    expect(part.startsWith('<form id="notification-config"')).toBe(true);
    expect(part).toContain('name="level"');
    expect(part).toContain('name="room_id"');
    expect(part).toContain('name="notification_token"');
    expect(part).not.toContain("<html");
  });

  it("shows a refusal at its field, keeping what was typed", async () => {
    const res = await create({ ...webhookForm, title: "Hook", url: "ftp://hooks.example.com/" });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(fieldMessage(html, "url")).toEqual({ error: true, text: "Invalid webhook URL" });
    expect(html).toContain('value="Hook"');
    const days = await create({ event: "repo_image_expiry", method: "webhook", url: "https://h.example.com/", days: "soon" });
    expect(fieldMessage(await days.text(), "days")?.error).toBe(true);
    expect(await stored()).toEqual([]);
  });

  it("creates a notification and lists its event, method, target and state", async () => {
    const res = await create({ ...webhookForm, title: "Deploy hook" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`${PAGE}?created=Deploy+hook`);
    const html = await (await alice.get(res.headers.get("location")!)).text();
    expect(html).toContain("Created the notification Deploy hook.");
    expect(await rowsOf()).toEqual(["Deploy hook Push to repository Webhook POST https://hooks.example.com/push Enabled Test Delete"]);
    expect(await logged("add_repo_notification")).toBe(1);
  });

  it("mails a confirmation link for a new address and creates the e-mail notification once it is opened", async () => {
    const fields = { event: "repo_push", method: "email", email: "ops@example.com" };
    const first = await create(fields);
    expect(first.status).toBe(400);
    expect(fieldMessage(await first.text(), "email")?.text).toContain("A confirmation link was mailed to ops@example.com");
    const body = smtp.inbox.findLast((m) => m.to === "ops@example.com")!.body.replace(/=\r?\n/g, "").replace(/=3D/g, "=");
    const link = /http:\/\/registry\.test(\/authrepoemail\?code=[A-Za-z0-9_%-]+)/.exec(body)![1]!;

    const bogus = await new PageClient(env.app).get("/authrepoemail?code=nope");
    expect(bogus.status).toBe(400);
    expect(await bogus.text()).toContain("Invalid confirmation code.");
    const opened = await new PageClient(env.app).get(link);
    expect(opened.status).toBe(200);
    expect(await opened.text()).toContain("ops@example.com may now receive notifications of the repository");

    expect((await create(fields)).status).toBe(303);
    expect(await rowsOf()).toContainEqual(expect.stringContaining("E-mail ops@example.com Enabled"));
  });

  it("shows a notification disabled by failures, and re-enables it", async () => {
    const [hook] = (await stored()).filter((n) => n.title === "Deploy hook");
    await env.deps.db.update(repositoryNotifications).set({ numberOfFailures: 3 }).where(eq(repositoryNotifications.id, hook!.id));
    expect((await rowsOf())[0]).toContain("Disabled after 3 failed events Test Re-enable Delete");
    const res = await alice.submit(PAGE, `/repository-notification-reset/acme/app?uuid=${hook!.uuid}`, {});
    expect(res.status).toBe(303);
    expect(await (await alice.get(res.headers.get("location")!)).text()).toContain("Re-enabled Deploy hook.");
    expect((await rowsOf())[0]).toContain("Enabled Test Delete");
    expect(await logged("reset_repo_notification")).toBe(1);
  });

  it("queues a test delivery", async () => {
    const [hook] = (await stored()).filter((n) => n.title === "Deploy hook");
    const sent: { queue: string; data: object }[] = [];
    env.deps.jobs = { send: async (queue, data) => sent.push({ queue, data }) };
    try {
      const res = await alice.submit(PAGE, `/repository-notification-test/acme/app?uuid=${hook!.uuid}`, {});
      expect(res.headers.get("location")).toBe(`${PAGE}?tested=Deploy+hook`);
      expect(sent).toEqual([{ queue: NOTIFICATION_DELIVERY_QUEUE, data: expect.objectContaining({ notificationId: hook!.id, test: true }) }]);
    } finally {
      env.deps.jobs = undefined;
    }
  });

  it("deletes a notification after the question", async () => {
    const [hook] = (await stored()).filter((n) => n.title === "Deploy hook");
    const question = await alice.get(`/repository-notification-delete/acme/app?uuid=${hook!.uuid}`);
    expect(await question.text()).toContain("Delete the notification Deploy hook?");
    const res = await alice.submit(`/repository-notification-delete/acme/app?uuid=${hook!.uuid}`, `/repository-notification-delete/acme/app?uuid=${hook!.uuid}`, {});
    expect(res.headers.get("location")).toBe(`${PAGE}?deleted=Deploy+hook`);
    expect((await stored()).map((n) => n.title)).not.toContain("Deploy hook");
    expect(await logged("delete_repo_notification")).toBe(1);
    expect((await alice.get(`/repository-notification-delete/acme/app?uuid=${hook!.uuid}`)).status).toBe(404);
  });
});
