// Log export end to end on a real server: the job writes the file, a callback server on loopback
// receives the signed link, the file downloads with the rows, the link dies after an hour on the
// injected clock, the e-mail path reaches an SMTP sink, and a namespace's exports run one at a time.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog } from "../../db/schema.ts";
import { createAccessToken } from "../../server/domain/accounts/oauth-tokens.ts";
import { createUser, type User } from "../../server/domain/accounts/users.ts";
import { type SmtpSink, startSmtpSink } from "../support/smtp-sink.ts";
import { ManualClock, type TestServer, testServer } from "../support/test-app.ts";

interface Callback {
  path: string;
  body: { export_id: string; exported_data_url: string; status: string; namespace: string; repository: string | null };
  release(): void;
}

/** A loopback HTTP server that keeps every callback; those to /hold wait for release(). */
async function callbackServer() {
  const received: Callback[] = [];
  const waiters: (() => void)[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let text = "";
    req.on("data", (chunk: Buffer) => (text += chunk.toString()));
    req.on("end", () => {
      const release = () => res.writeHead(200).end("ok");
      received.push({ path: req.url ?? "", body: JSON.parse(text) as Callback["body"], release });
      if (req.url !== "/hold") release();
      for (const wake of waiters.splice(0)) wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    received,
    /** Resolves with the first callback for this export. */
    async next(exportId: string): Promise<Callback> {
      for (;;) {
        const found = received.find((c) => c.body.export_id === exportId);
        if (found) return found;
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let server: TestServer;
let smtp: SmtpSink;
let callbacks: Awaited<ReturnType<typeof callbackServer>>;
let alice: User;
let token: string;
const clock = new ManualClock();

beforeAll(async () => {
  smtp = await startSmtpSink();
  callbacks = await callbackServer();
  server = await testServer({ QUAYSIDE_SMTP_URL: smtp.url, QUAYSIDE_SSRF_ALLOWED_HOSTS: "127.0.0.1" }, { clock });
  alice = await createUser(server.deps.db, { username: "alice", password: "password-alice" }, { principal: { kind: "anonymous" } });
  token = await createAccessToken(server.deps.db, alice.id, null, ["user:admin"]);
  const day = 24 * 3600 * 1000;
  await server.deps.db.insert(auditLog).values(
    Array.from({ length: 150 }, (_, i) => ({
      kind: i % 2 ? "push_repo" : "pull_repo",
      namespaceId: alice.namespaceId,
      performerId: alice.id,
      createdAt: new Date(Date.now() - (i % 20) * day),
      metadata: { tag: `t${i}` },
    })),
  );
}, 60_000);
afterAll(async () => {
  await server?.close();
  await callbacks?.close();
  await smtp?.close();
});

const exportLogs = async (body: Record<string, string>) => {
  const res = await fetch(`${server.url}/api/v1/user/exportlogs`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as { export_id: string } & Record<string, unknown> };
};

interface ExportFile {
  export_id: string;
  details: { namespace: string };
  logs: ({ kind: string; metadata: { tag: string } } | { terminator: true })[];
}

describe("log export", () => {
  it("posts a signed link to the callback; the file holds the rows; the link dies after an hour", async () => {
    const asked = await exportLogs({ callback_url: callbacks.url("/done") });
    expect(asked.status).toBe(200);
    expect(asked.body).toEqual({ export_id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    const callback = await callbacks.next(asked.body.export_id);
    expect(callback.body).toMatchObject({ status: "success", namespace: "alice", repository: null });
    const link = callback.body.exported_data_url;
    expect(link.startsWith(`${server.url}/exportedlogs/`)).toBe(true);

    const download = await fetch(link);
    expect(download.status).toBe(200);
    const file = (await download.json()) as ExportFile;
    expect(file.export_id).toBe(asked.body.export_id);
    expect(file.details.namespace).toBe("alice");
    expect(file.logs.at(-1)).toEqual({ terminator: true });
    const tags = file.logs.flatMap((l) => ("kind" in l && /^(push|pull)_repo$/.test(l.kind) ? [l.metadata.tag] : []));
    expect(tags.sort()).toEqual(Array.from({ length: 150 }, (_, i) => `t${i}`).sort());

    // The file's removal is queued for when the link will have expired.
    const fileId = new URL(link).pathname.split("/").at(-1)!;
    const [cleanup] = await server.deps.db.execute<{ later: boolean }>(
      sql`select start_after > now() + interval '59 minutes' as later from pgboss.job where name = 'log-export' and data->>'expiredFile' = ${fileId}`,
    );
    expect(cleanup?.later).toBe(true);

    const tampered = link.replace(/signature=[^&]+/, "signature=AAAA");
    expect((await fetch(tampered)).status).toBe(403);
    clock.advance(3600 * 1000);
    const expired = await fetch(link);
    expect(expired.status).toBe(410);
    expect(await expired.json()).toEqual({ message: "The link to these exported logs has expired." });
  });

  it("mails the link to the callback e-mail address", async () => {
    const asked = await exportLogs({ callback_email: "auditor@example.com" });
    expect(asked.status).toBe(200);
    let mail: { to: string; body: string } | undefined;
    while (!(mail = smtp.inbox.find((m) => m.to === "auditor@example.com"))) await new Promise((r) => setTimeout(r, 50));
    const body = mail.body.replace(/=\r?\n/g, "").replace(/=3D/g, "=");
    const link = /(http:\/\/127\.0\.0\.1:\d+\/exportedlogs\/\S+)/.exec(body)![1]!;
    const file = (await (await fetch(link)).json()) as ExportFile;
    expect(file.export_id).toBe(asked.body.export_id);
    expect(file.logs.length).toBeGreaterThan(150);
  });

  it("runs a second export of the same namespace only after the first", async () => {
    const first = await exportLogs({ callback_url: callbacks.url("/hold") });
    const second = await exportLogs({ callback_url: callbacks.url("/done") });
    const held = await callbacks.next(first.body.export_id);
    // The first export is still reporting: the second has not called back and is still queued.
    expect(callbacks.received.some((c) => c.body.export_id === second.body.export_id)).toBe(false);
    // pg-boss's own table: the second export's job has not started.
    const [job] = await server.deps.db.execute<{ state: string }>(
      sql`select state from pgboss.job where name = 'log-export' and data->>'exportId' = ${second.body.export_id}`,
    );
    expect(job?.state).toBe("created");
    held.release();
    const after = await callbacks.next(second.body.export_id);
    expect(after.body.status).toBe("success");
  });
});
