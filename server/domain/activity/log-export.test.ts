// Log export rules: the SSRF check on callback URLs, the signed link, and one export per namespace
// at a time even when two workers take two of its exports at once.
import { createHmac } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestEnv, testEnv } from "../../../e2e/support/test-app.ts";
import type { User } from "../accounts/users.ts";
import { callbackEmailProblem, callbackUrlProblem, checkExportLink, type LogExportJob, runLogExport } from "./log-export.ts";

describe("callback checks", () => {
  it("takes public http(s) URLs and refuses internal addresses unless their host is allowed", async () => {
    expect(await callbackUrlProblem("https://93.184.216.34/hook", [])).toBeNull();
    for (const url of [
      "ftp://93.184.216.34/x", "http://127.0.0.1/x", "http://10.1.2.3/x", "http://172.16.0.1/x", "http://192.168.1.1/x",
      "http://169.254.169.254/latest/meta-data", "http://[::1]/x", "http://[fd00::1]/x", "http://[::ffff:127.0.0.1]/x",
      "http://0.0.0.0/x", "http://localhost/x", "http:/nohost", "nonsense",
    ]) {
      expect(await callbackUrlProblem(url, []), url).toBe("Invalid callback URL");
    }
    expect(await callbackUrlProblem("http://127.0.0.1:8080/x", ["127.0.0.1"])).toBeNull();
    expect(await callbackUrlProblem("http://127.0.0.1:8080/x", ["127.0.0.1:8080"])).toBeNull();
    expect(await callbackUrlProblem("http://127.0.0.1:9090/x", ["127.0.0.1:8080"])).toBe("Invalid callback URL");
    expect(callbackEmailProblem("a@b")).toBeNull();
    expect(callbackEmailProblem("ab")).toBe("Invalid callback e-mail");
  });

  it("serves a link only as signed and until it expires", () => {
    const key = new Uint8Array(32).fill(7);
    const link = { file: "f", size: 10, expires: 1_000 };
    const signature = createHmac("sha256", key).update("f.10.1000").digest("base64url");
    expect(checkExportLink(key, link, signature, new Date(999_000))).toBe("ok");
    expect(checkExportLink(key, link, signature, new Date(1_000_000))).toBe("expired");
    expect(checkExportLink(key, { ...link, expires: 2_000 }, signature, new Date(0))).toBe("forbidden");
    expect(checkExportLink(key, link, "short", new Date(0))).toBe("forbidden");
  });
});

describe("one export per namespace", () => {
  let env: TestEnv;
  let alice: User;
  beforeAll(async () => {
    env = await testEnv();
    alice = await env.user("alice");
  });
  afterAll(() => env.close());

  it("makes a second export wait for the first even when both start together", async () => {
    const order: string[] = [];
    let releaseFirst: () => void = () => {};
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        const id = (JSON.parse(body) as { export_id: string }).export_id;
        order.push(`${id} called`);
        if (id === "first") releaseFirst = () => res.writeHead(200).end();
        else res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    const job = (exportId: string): LogExportJob => ({
      exportId,
      namespaceId: alice.namespaceId,
      namespaceName: "alice",
      repositoryId: null,
      repositoryName: null,
      start: new Date(Date.now() - 86_400_000).toISOString(),
      end: new Date(Date.now() + 86_400_000).toISOString(),
      callbackUrl: `http://127.0.0.1:${port}/cb`,
      callbackEmail: null,
      linkBase: "http://registry.test",
    });
    const svc = { db: env.deps.db, store: env.deps.store, clock: env.deps.clock, linkKey: new Uint8Array(32), allowedHosts: ["127.0.0.1"], view: (r: unknown) => r };
    const first = runLogExport(svc, job("first")).then(() => order.push("first done"));
    while (!order.includes("first called")) await new Promise((r) => setTimeout(r, 20));
    const second = runLogExport(svc, job("second")).then(() => order.push("second done"));
    // The second waits on the namespace's advisory lock (not granted) while the first reports.
    const waiting = async () =>
      (await env.deps.db.execute<{ n: number }>(sql`select count(*)::int as n from pg_locks
        where locktype = 'advisory' and not granted and database = (select oid from pg_database where datname = current_database())`))[0]!.n;
    while ((await waiting()) === 0 && !order.includes("second called")) await new Promise((r) => setTimeout(r, 20));
    expect(order).toEqual(["first called"]);
    releaseFirst();
    await Promise.all([first, second]);
    expect(order).toEqual(["first called", "first done", "second called", "second done"]);
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});
