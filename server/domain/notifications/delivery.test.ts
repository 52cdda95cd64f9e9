// Delivery of every event by every method against real receivers on loopback (an HTTP server for
// webhook, Slack, Flowdock and HipChat, an SMTP sink for e-mail, the database for in-app), then
// the delivery rules: filters, custom templates, the SSRF rule, client certificates, retries at
// growing delays, the failure counter that disables a notification and a success that resets it.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repositoryNotifications, userNotifications } from "../../../db/schema.ts";
import { type HttpReceiver, startHttpReceiver } from "../../../e2e/support/http-receiver.ts";
import { type SmtpSink, startSmtpSink } from "../../../e2e/support/smtp-sink.ts";
import { type TestEnv, testEnv } from "../../../e2e/support/test-app.ts";
import { deliveryServices } from "../../../jobs/notification-delivery.ts";
import { toPrincipal, type User } from "../accounts/users.ts";
import { createRepository, type Repository } from "../repositories/repositories.ts";
import { NOTIFICATION_EVENTS, NOTIFICATION_METHODS, type NotificationEvent, type NotificationMethod, type RepositoryNotification } from "./catalog.ts";
import {
  type DeliveryJob,
  type DeliveryServices,
  emitRepositoryEvent,
  MAX_ATTEMPTS,
  NOTIFICATION_DELIVERY_QUEUE,
  queueTestNotification,
  runDelivery,
} from "./delivery.ts";
import { buildEventData, type EventData, EVENTS, repoPushData, vulnerabilityFoundData } from "./events.ts";

let env: TestEnv;
let smtp: SmtpSink;
let receiver: HttpReceiver;
let alice: User;
let repo: Repository;
let svc: DeliveryServices;
const queued: { queue: string; data: DeliveryJob; startAfter?: number }[] = [];
const SITE = "http://registry.test";
const subject = { siteUrl: SITE, namespace: "alice", name: "app" };

beforeAll(async () => {
  smtp = await startSmtpSink();
  receiver = await startHttpReceiver();
  env = await testEnv({ QUAYSIDE_SMTP_URL: smtp.url, QUAYSIDE_SSRF_ALLOWED_HOSTS: "127.0.0.1", QUAYSIDE_NOTIFICATION_RETRY_DELAY: "5" });
  env.deps.jobs = {
    async send(queue, data, options) {
      queued.push({ queue, data: data as DeliveryJob, startAfter: options?.startAfter });
    },
  };
  alice = await env.user("alice");
  repo = await createRepository(env.deps.db, { principal: toPrincipal(alice) }, { namespace: "alice", name: "app", visibility: "private" });
  svc = await deliveryServices(env.deps, { flowdock: receiver.url("/flowdock"), hipchat: receiver.url("/hipchat") });
}, 60_000);

afterAll(async () => {
  await env?.close();
  await receiver?.close();
  await smtp?.close();
});

async function notification(
  event: NotificationEvent,
  method: NotificationMethod,
  config: Record<string, unknown>,
  eventConfig: Record<string, unknown> = {},
): Promise<RepositoryNotification> {
  const [row] = await env.deps.db
    .insert(repositoryNotifications)
    .values({ repositoryId: repo.id, event, method, config, eventConfig, title: `${event} by ${method}` })
    .returning();
  return row!;
}

/** The jobs queued since `from`. */
const jobsSince = (from: number) => queued.slice(from).map((q) => q.data);

async function failures(n: RepositoryNotification): Promise<number> {
  const [row] = await env.deps.db.select().from(repositoryNotifications).where(eq(repositoryNotifications.id, n.id));
  return row!.numberOfFailures;
}

/** The mail to `to`, headers unfolded and quoted-printable soft breaks undone. */
function mailTo(to: string): string | undefined {
  const mail = smtp.inbox.findLast((m) => m.to === to);
  return mail?.body.replace(/\r?\n[ \t]+/g, " ").replace(/=\r?\n/g, "").replace(/=3D/g, "=");
}

const methodConfig = (event: NotificationEvent): Record<NotificationMethod, Record<string, unknown>> => ({
  webhook: { url: receiver.url(`/webhook/${event}`) },
  slack: { url: receiver.url(`/slack/${event}`) },
  flowdock: { flow_api_token: `token-${event}` },
  hipchat: { notification_token: "secret", room_id: `room-${event}` },
  email: { email: `${event.replace(/_/g, "-")}@example.com` },
  quay_notification: { target: { kind: "user", name: "alice" } },
});

const bodyAt = (path: string) => receiver.received.findLast((r) => r.url === path)?.body as Record<string, unknown> | undefined;

describe("every event by every method", () => {
  for (const event of NOTIFICATION_EVENTS) {
    it(`delivers ${event} by each method in its format`, async () => {
      const configs = methodConfig(event);
      const sent = {} as Record<NotificationMethod, EventData>;
      for (const method of NOTIFICATION_METHODS) {
        const n = await notification(event, method, configs[method]);
        const from = queued.length;
        await queueTestNotification(env.deps, n, SITE);
        const [job] = jobsSince(from);
        expect(job, `${event} by ${method} queued`).toMatchObject({ notificationId: n.id, event, attempt: 1, test: true });
        expect(await runDelivery(svc, job!), `${event} by ${method}`).toBe("delivered");
        sent[method] = job!.data;
      }
      // Sample build data carries the time it was made: compare each method with what it was sent.
      const data = sent.webhook;
      // Every event's data names the repository as Quay's does.
      expect(data).toMatchObject({
        repository: "alice/app",
        namespace: "alice",
        name: "app",
        docker_url: "registry.test/alice/app",
        homepage: expect.stringMatching(/^http:\/\/registry\.test\/repository\/alice\/app/),
      });
      const summary = EVENTS[event].summary(data);
      const level = EVENTS[event].level(data);

      expect(bodyAt(`/webhook/${event}`)).toEqual(data);

      const slack = bodyAt(`/slack/${event}`)!;
      expect(slack).toMatchObject({ text: summary, username: "quayside" });
      const [attachment] = slack.attachments as { fallback: string; text: string; color: string; mrkdwn_in: string[] }[];
      expect(attachment).toMatchObject({ fallback: summary, mrkdwn_in: ["text"] });
      expect(attachment!.color).toBe({ info: "#ffffff", warning: "warning", error: "danger", success: "good", primary: "good" }[level]);
      expect(attachment!.text).not.toMatch(/<\/?(b|a|br)\b/);

      expect(bodyAt(`/flowdock/v1/messages/team_inbox/token-${event}`)).toMatchObject({
        source: "Quayside",
        subject: summary,
        content: expect.stringContaining("alice/app"),
        from_name: "alice",
        project: "alice app",
        tags: [`#${event}`],
        link: data.homepage,
      });

      expect(bodyAt(`/hipchat/v2/room/room-${event}/notification?auth_token=secret`)).toEqual({
        color: { info: "gray", warning: "yellow", error: "red", success: "green", primary: "purple" }[level],
        message: expect.stringContaining("alice/app"),
        notify: level === "error",
        message_format: "html",
      });

      const mail = mailTo(`${event.replace(/_/g, "-")}@example.com`);
      expect(mail).toContain(`Subject: ${summary}`);
      expect(mail).toContain("text/html");

      const inApp = await env.deps.db
        .select()
        .from(userNotifications)
        .where(and(eq(userNotifications.targetNamespaceId, alice.namespaceId!), eq(userNotifications.kind, event)));
      expect(inApp).toHaveLength(1);
      expect(inApp[0]!.metadata).toEqual(sent.quay_notification);
    });
  }

  it("Slack gets the message in its own markup", async () => {
    const n = await notification("repo_push", "slack", { url: receiver.url("/slack/pushed") });
    const data = repoPushData(subject, { tags: ["v1", "latest"], digests: ["sha256:abc"] });
    const job: DeliveryJob = { notificationId: n.id, event: "repo_push", data, performer: "alice", attempt: 1 };
    expect(await runDelivery(svc, job)).toBe("delivered");
    const slack = bodyAt("/slack/pushed") as { attachments: { text: string }[] };
    expect(slack.attachments[0]!.text).toBe("*alice* pushed *v1*, *latest* in repository <http://registry.test/repository/alice/app|alice/app>");
  });
});

describe("events", () => {
  it("queues a push for each enabled notification of the event, with the pushed tags and digest", async () => {
    const push = await notification("repo_push", "webhook", { url: receiver.url("/push") });
    await notification("build_success", "webhook", { url: receiver.url("/build") });
    const from = queued.length;
    const data = repoPushData(subject, { tags: ["v2"], digests: ["sha256:0123"] });
    const count = await emitRepositoryEvent(env.deps, { repositoryId: repo.id, event: "repo_push", data, performer: "alice" });
    const mine = jobsSince(from).filter((j) => j.notificationId === push.id);
    expect(mine).toEqual([{ notificationId: push.id, event: "repo_push", data, performer: "alice", attempt: 1 }]);
    expect(jobsSince(from).every((j) => j.event === "repo_push")).toBe(true);
    expect(count).toBe(jobsSince(from).length);
    expect(data).toMatchObject({ updated_tags: ["v2"], manifest_digests: ["sha256:0123"] });
    expect(queued.at(-1)!.queue).toBe(NOTIFICATION_DELIVERY_QUEUE);
  });

  it("applies the vulnerability level and build ref filters", async () => {
    const high = await notification("vulnerability_found", "webhook", { url: receiver.url("/vuln") }, { level: 1 });
    const vulnerability = (priority: "Critical" | "Medium") =>
      vulnerabilityFoundData(subject, {
        tags: ["v1"],
        manifestDigest: "sha256:1",
        vulnerability: { id: "CVE-1", description: "d", link: "https://example.com", priority, hasFix: true },
      });
    const sentTo = async (n: RepositoryNotification, event: NotificationEvent, data: EventData) => {
      const from = queued.length;
      await emitRepositoryEvent(env.deps, { repositoryId: repo.id, event, data });
      return jobsSince(from).some((j) => j.notificationId === n.id);
    };
    expect(await sentTo(high, "vulnerability_found", vulnerability("Medium"))).toBe(false);
    expect(await sentTo(high, "vulnerability_found", vulnerability("Critical"))).toBe(true);

    const main = await notification("build_failure", "webhook", { url: receiver.url("/b") }, { "ref-regex": "refs/heads/ma" });
    const build = (ref?: string) =>
      buildEventData(subject, {
        buildId: "b1",
        buildName: "n",
        dockerTags: ["latest"],
        trigger: ref ? { id: "t", kind: "github", metadata: { ref, commit: "abc" } } : undefined,
      });
    expect(await sentTo(main, "build_failure", build("refs/heads/main"))).toBe(true);
    expect(await sentTo(main, "build_failure", build("refs/heads/dev"))).toBe(false);
    expect(await sentTo(main, "build_failure", build())).toBe(false);
  });
});

describe("webhooks", () => {
  it("fills a custom template with the event data", async () => {
    const template = JSON.stringify({ text: "${repository} now has ${updated_tags}", tags: "${updated_tags}", missing: "${nope}" });
    const n = await notification("repo_push", "webhook", { url: receiver.url("/templated"), template });
    const data = repoPushData(subject, { tags: ["a", "b"], digests: ["sha256:1"] });
    expect(await runDelivery(svc, { notificationId: n.id, event: "repo_push", data, attempt: 1 })).toBe("delivered");
    expect(bodyAt("/templated")).toEqual({ text: "alice/app now has a,b", tags: ["a", "b"], missing: null });
  });

  it("refuses an internal address that is not allowed, at once and without retrying", async () => {
    const n = await notification("repo_push", "webhook", { url: "http://127.0.0.2:9/hook" });
    const from = queued.length;
    const data = repoPushData(subject, { tags: ["a"], digests: ["sha256:1"] });
    expect(await runDelivery(svc, { notificationId: n.id, event: "repo_push", data, attempt: 1 })).toBe("failed");
    expect(jobsSince(from)).toEqual([]);
    expect(await failures(n)).toBe(1);
  });

  it("presents the configured client certificate to an https endpoint", async () => {
    const dir = mkdtempSync(join(tmpdir(), "quayside-cert-"));
    const rejectUnauthorized = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    try {
      const pem = (name: string, cn: string) => {
        execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", `/CN=${cn}`,
          "-keyout", join(dir, `${name}.key`), "-out", join(dir, `${name}.crt`)], { stdio: "ignore" });
        return { cert: readFileSync(join(dir, `${name}.crt`), "utf8"), key: readFileSync(join(dir, `${name}.key`), "utf8") };
      };
      const server = pem("server", "127.0.0.1");
      const client = pem("client", "quayside-webhooks");
      const tls = await startHttpReceiver({ ...server, requestCert: true, rejectUnauthorized: false });
      // The receiver's certificate is self-signed: this test trusts it.
      process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";
      try {
        const n = await notification("repo_push", "webhook", { url: tls.url("/secure") });
        const data = repoPushData(subject, { tags: ["a"], digests: ["sha256:1"] });
        const withCert = { ...svc, http: { ...svc.http, clientCertificate: client } };
        expect(await runDelivery(withCert, { notificationId: n.id, event: "repo_push", data, attempt: 1 })).toBe("delivered");
        expect(tls.received[0]).toMatchObject({ url: "/secure", body: data, clientCertificate: "quayside-webhooks" });
      } finally {
        await tls.close();
      }
    } finally {
      if (rejectUnauthorized === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
      else process.env.NODE_TLS_REJECT_UNAUTHORIZED = rejectUnauthorized;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("failures", () => {
  it("retries at growing delays, counts an exhausted event, disables at the limit, and a success resets", async () => {
    const failing = await startHttpReceiver();
    failing.answer(500);
    try {
      const n = await notification("repo_push", "webhook", { url: failing.url("/down") });
      const event = async (tag: string) => {
        const from = queued.length;
        expect(await emitRepositoryEvent(env.deps, { repositoryId: repo.id, event: "repo_push", data: repoPushData(subject, { tags: [tag], digests: ["sha256:1"] }) })).toBeGreaterThan(0);
        let job = jobsSince(from).find((j) => j.notificationId === n.id)!;
        const delays: number[] = [];
        for (;;) {
          const at = queued.length;
          const outcome = await runDelivery(svc, job);
          if (outcome !== "retrying") return { outcome, delays };
          const next = queued.slice(at).find((q) => q.data.notificationId === n.id)!;
          delays.push(next.startAfter!);
          job = next.data;
        }
      };
      const first = await event("one");
      expect(first).toEqual({ outcome: "failed", delays: [5, 10, 20] });
      expect(failing.received.filter((r) => r.url === "/down")).toHaveLength(MAX_ATTEMPTS);
      expect(await failures(n)).toBe(1);

      // A delivered event puts the counter back to 0.
      failing.answer(200);
      expect((await event("two")).outcome).toBe("delivered");
      expect(await failures(n)).toBe(0);

      failing.answer(503);
      for (const tag of ["three", "four", "five"]) expect((await event(tag)).outcome).toBe("failed");
      expect(await failures(n)).toBe(3);

      // Disabled: no more events are queued for it, and one still queued is not sent.
      const from = queued.length;
      await emitRepositoryEvent(env.deps, { repositoryId: repo.id, event: "repo_push", data: repoPushData(subject, { tags: ["six"], digests: ["sha256:1"] }) });
      expect(jobsSince(from).some((j) => j.notificationId === n.id)).toBe(false);
      const sent = failing.received.length;
      expect(await runDelivery(svc, { notificationId: n.id, event: "repo_push", data: repoPushData(subject, { tags: ["x"], digests: [] }), attempt: 1 })).toBe("skipped");
      expect(failing.received.length).toBe(sent);

      // Reset (N-store's reset sets the counter to 0): events flow again.
      await env.deps.db.update(repositoryNotifications).set({ numberOfFailures: 0 }).where(eq(repositoryNotifications.id, n.id));
      failing.answer(200);
      expect((await event("seven")).outcome).toBe("delivered");
    } finally {
      await failing.close();
    }
  });

  it("counts e-mail that cannot be sent when no mail server is configured", async () => {
    const n = await notification("repo_push", "email", { email: "x@example.com" });
    const data = repoPushData(subject, { tags: ["a"], digests: [] });
    expect(await runDelivery({ ...svc, sendMail: undefined }, { notificationId: n.id, event: "repo_push", data, attempt: 1 })).toBe("failed");
    expect(await failures(n)).toBe(1);
  });
});
