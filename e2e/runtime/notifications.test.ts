// Repository notifications end to end on a real server (issue 14's acceptance): a `podman push`
// produces a webhook POST recorded by a loopback server with the pushed tag and digest, an e-mail
// in the SMTP sink and a Slack-format message; a receiver answering 500 gets retries at growing
// delays, and after 3 failed events the notification is disabled (number_of_failures through the
// API) until the API's reset. Notifications are created through Quay's API.
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repositoryAuthorizedEmails } from "../../db/schema.ts";
import { createAccessToken } from "../../server/domain/accounts/oauth-tokens.ts";
import { createUser, toPrincipal } from "../../server/domain/accounts/users.ts";
import { createRepository } from "../../server/domain/repositories/repositories.ts";
import { ClientSandbox, ok, requireTools } from "../clients/tools.ts";
import { type HttpReceiver, startHttpReceiver } from "../support/http-receiver.ts";
import { type SmtpSink, startSmtpSink } from "../support/smtp-sink.ts";
import { type TestServer, testServer } from "../support/test-app.ts";

const ALICE = { username: "alice", password: "alice-password-1" };
let server: TestServer;
let smtp: SmtpSink;
let receiver: HttpReceiver;
let failing: HttpReceiver;
let sandbox: ClientSandbox;
let work: string;
let token: string;

beforeAll(async () => {
  requireTools("podman", "buildah");
  smtp = await startSmtpSink();
  receiver = await startHttpReceiver();
  failing = await startHttpReceiver();
  failing.answer(500);
  server = await testServer({
    QUAYSIDE_SMTP_URL: smtp.url,
    QUAYSIDE_SSRF_ALLOWED_HOSTS: "127.0.0.1",
    QUAYSIDE_NOTIFICATION_RETRY_DELAY: "1",
  });
  const alice = await createUser(server.deps.db, ALICE, { principal: { kind: "anonymous" } });
  token = await createAccessToken(server.deps.db, alice.id, null, ["repo:read", "repo:write", "repo:admin", "repo:create"]);
  const repo = await createRepository(server.deps.db, { principal: toPrincipal(alice) }, { namespace: "alice", name: "app", visibility: "private" });
  // The address was confirmed through its mailed link (N-store's flow, tested there).
  await server.deps.db.insert(repositoryAuthorizedEmails).values({ repositoryId: repo.id, email: "ops@example.com", code: "confirmed", confirmed: true });
  sandbox = await ClientSandbox.create();
  work = await mkdtemp(join(tmpdir(), "quayside-notify-"));
}, 120_000);

afterAll(async () => {
  await sandbox?.close();
  if (work) await rm(work, { recursive: true, force: true });
  await server?.close();
  await receiver?.close();
  await failing?.close();
  await smtp?.close();
});

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${server.url}/api/v1/repository/alice/app${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

async function addNotification(method: string, config: Record<string, unknown>): Promise<string> {
  const created = await api("POST", "/notification/", { event: "repo_push", method, config, eventConfig: {}, title: method });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.uuid as string;
}

/** Builds a one-file image with buildah and pushes it with podman; its digest. */
async function podmanPush(tag: string): Promise<string> {
  const ctx = join(work, tag);
  await mkdir(ctx);
  await writeFile(join(ctx, "data.txt"), `notified ${tag}\n`);
  await writeFile(join(ctx, "Containerfile"), "FROM scratch\nCOPY data.txt /data.txt\n");
  const ref = `${server.host}/alice/app:${tag}`;
  ok(await sandbox.buildah(["bud", "--isolation", "chroot", "-t", ref, ctx], { timeout: 60_000 }), "buildah bud");
  const digestFile = join(work, `${tag}.digest`);
  ok(
    await sandbox.podman(["push", "--tls-verify=false", "--creds", `${ALICE.username}:${ALICE.password}`, "--digestfile", digestFile, ref], { timeout: 60_000 }),
    "podman push",
  );
  return (await readFile(digestFile, "utf8")).trim();
}

const pushedTag = (tag: string) => (r: { body: unknown }) => (r.body as { updated_tags?: string[] }).updated_tags?.[0] === tag;

describe("notifications on a real server", () => {
  let failingUuid: string;

  it("a podman push reaches a webhook, an e-mail address and Slack", async () => {
    await addNotification("webhook", { url: receiver.url("/hook") });
    await addNotification("slack", { url: receiver.url("/slack") });
    await addNotification("email", { email: "ops@example.com" });
    failingUuid = await addNotification("webhook", { url: failing.url("/down") });

    const digest = await podmanPush("v1");
    const [hook] = await receiver.waitFor(1, (r) => r.url === "/hook");
    expect(hook!.body).toEqual({
      repository: "alice/app",
      namespace: "alice",
      name: "app",
      docker_url: `${server.host}/alice/app`,
      homepage: `${server.url}/repository/alice/app`,
      updated_tags: ["v1"],
      manifest_digests: [digest],
    });

    const [slack] = await receiver.waitFor(1, (r) => r.url === "/slack");
    expect(slack!.body).toMatchObject({
      text: "Repository alice/app updated",
      attachments: [{ text: `*alice* pushed *v1* in repository <${server.url}/repository/alice/app|alice/app>`, color: "good" }],
    });

    let mail: { to: string; body: string } | undefined;
    while (!(mail = smtp.inbox.find((m) => m.to === "ops@example.com"))) await new Promise((r) => setTimeout(r, 100));
    expect(mail.body.replace(/\r?\n[ \t]+/g, " ")).toContain("Subject: Repository alice/app updated");
  }, 120_000);

  it("retries a receiver answering 500 at growing delays, disables after 3 failed events, and reset re-enables", async () => {
    await podmanPush("v2");
    await podmanPush("v3");
    // Each event is tried 4 times: 12 tries in all, then the counter reads 3.
    await failing.waitFor(12);
    let notification: { number_of_failures: number } = { number_of_failures: 0 };
    while ((notification = (await api("GET", `/notification/${failingUuid}`)).body as typeof notification).number_of_failures < 3) {
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(notification.number_of_failures).toBe(3);

    // The retries were held back 1, 2 and 4 seconds (pg-boss's own record of each try).
    const tries = await server.deps.db.execute<{ tag: string; attempt: number; delay: number }>(sql`
      select data->'data'->'updated_tags'->>0 as tag, (data->>'attempt')::int as attempt,
             round(extract(epoch from start_after - created_on))::int as delay
      from pgboss.job where name = 'notification-delivery' and data->>'notificationId' = (
        select id::text from repository_notifications where uuid = ${failingUuid})
      order by tag, attempt`);
    expect(tries.filter((t) => t.tag === "v1").map((t) => [t.attempt, t.delay])).toEqual([[1, 0], [2, 1], [3, 2], [4, 4]]);
    expect(tries).toHaveLength(12);

    // Disabled: the next push is not queued for it, while the working webhook still gets it.
    await podmanPush("v4");
    await receiver.waitFor(1, (r) => r.url === "/hook" && pushedTag("v4")(r));
    const [queuedForDisabled] = await server.deps.db.execute<{ n: number }>(sql`
      select count(*)::int as n from pgboss.job where name = 'notification-delivery'
        and data->'data'->'updated_tags'->>0 = 'v4' and data->>'notificationId' = (
        select id::text from repository_notifications where uuid = ${failingUuid})`);
    expect(queuedForDisabled!.n).toBe(0);

    // Reset (Quay's POST on the notification) re-enables it: the next push reaches the receiver.
    expect((await api("POST", `/notification/${failingUuid}`)).status).toBeLessThan(300);
    expect(((await api("GET", `/notification/${failingUuid}`)).body as typeof notification).number_of_failures).toBe(0);
    failing.answer(200);
    await podmanPush("v5");
    await failing.waitFor(1, pushedTag("v5"));
  }, 180_000);
});
