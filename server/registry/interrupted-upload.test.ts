// Uploads cut off mid-stream, over a real socket: nothing becomes visible and the same push
// succeeds afterwards.
import { randomBytes } from "node:crypto";
import { readdir } from "node:fs/promises";
import { request } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { basic, sha256 } from "../../e2e/support/registry-client.ts";
import { type TestServer, testServer } from "../../e2e/support/test-app.ts";
import { blobs, uploads } from "../../db/schema.ts";
import { createUser } from "../domain/accounts/users.ts";

let server: TestServer;
let auth: string;
const repo = "alice/interrupted";

beforeAll(async () => {
  server = await testServer();
  await createUser(server.deps.db, { username: "alice", password: "password-alice" }, { principal: { kind: "anonymous" } });
  const res = await fetch(`${server.url}/v2/auth?scope=repository:${repo}:pull,push`, {
    headers: { authorization: basic("alice", "password-alice") },
  });
  auth = `Bearer ${((await res.json()) as { token: string }).token}`;
});
afterAll(() => server.close());

/** Sends `headers` and only `sent` bytes of a body announced as `announced` bytes long, then drops the connection. */
function sendAndDrop(method: string, path: string, headers: Record<string, string>, sent: Buffer, announced: number) {
  return new Promise<void>((resolveDone) => {
    const req = request(`${server.url}${path}`, {
      method,
      headers: { ...headers, authorization: auth, "content-length": String(announced) },
    });
    req.on("error", () => resolveDone());
    req.on("close", () => resolveDone());
    req.write(sent, () => setTimeout(() => req.destroy(), 150));
  });
}

async function until(check: () => Promise<boolean>, ms = 5000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("condition not reached");
}

const uploadFiles = async () => readdir(join(server.dataDir, "blobs", "uploads")).catch(() => [] as string[]);

describe("an upload killed halfway", () => {
  it("monolithic POST: no blob, no session, no temporary file; the retry succeeds", async () => {
    const data = randomBytes(4 * 1024 * 1024);
    const digest = sha256(data);
    await sendAndDrop("POST", `/v2/${repo}/blobs/uploads/?digest=${digest}`, { "content-type": "application/octet-stream" }, data.subarray(0, 1024 * 1024), data.length);

    await until(async () => (await server.deps.db.select().from(uploads)).length === 0 && (await uploadFiles()).length === 0);
    expect(await server.deps.db.select().from(blobs)).toEqual([]);
    const head = await fetch(`${server.url}/v2/${repo}/blobs/${digest}`, { method: "HEAD", headers: { authorization: auth } });
    expect(head.status).toBe(404);

    const retry = await fetch(`${server.url}/v2/${repo}/blobs/uploads/?digest=${digest}`, {
      method: "POST",
      headers: { authorization: auth, "content-type": "application/octet-stream" },
      body: data,
    });
    expect(retry.status).toBe(201);
    const get = await fetch(`${server.url}/v2/${repo}/blobs/${digest}`, { headers: { authorization: auth } });
    expect(Buffer.from(await get.arrayBuffer()).equals(data)).toBe(true);
  });

  it("chunked PATCH: the session keeps only the completed chunks and resumes from there", async () => {
    const data = randomBytes(3 * 1024 * 1024);
    const start = await fetch(`${server.url}/v2/${repo}/blobs/uploads/`, { method: "POST", headers: { authorization: auth } });
    const location = start.headers.get("location")!;
    const first = data.subarray(0, 1024 * 1024);
    const ok = await fetch(`${server.url}${location}`, {
      method: "PATCH",
      headers: { authorization: auth, "content-range": `0-${first.length - 1}` },
      body: first,
    });
    expect(ok.status).toBe(202);

    const second = data.subarray(1024 * 1024, 2 * 1024 * 1024);
    await sendAndDrop("PATCH", location, { "content-range": `${1024 * 1024}-${2 * 1024 * 1024 - 1}` }, second.subarray(0, 300_000), second.length);

    // The status still reports only the first chunk.
    await until(async () => {
      const status = await fetch(`${server.url}${location}`, { headers: { authorization: auth } });
      return status.headers.get("range") === `0-${first.length - 1}`;
    });
    const rest = data.subarray(1024 * 1024);
    const resumed = await fetch(`${server.url}${location}`, {
      method: "PATCH",
      headers: { authorization: auth, "content-range": `${1024 * 1024}-${data.length - 1}` },
      body: rest,
    });
    expect(resumed.status).toBe(202);
    const done = await fetch(`${server.url}${location}?digest=${sha256(data)}`, { method: "PUT", headers: { authorization: auth } });
    expect(done.status).toBe(201);
    const get = await fetch(`${server.url}/v2/${repo}/blobs/${sha256(data)}`, { headers: { authorization: auth } });
    expect(Buffer.from(await get.arrayBuffer()).equals(data)).toBe(true);
  });

  it("manifest PUT cut off: no tag appears", async () => {
    const body = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", config: {}, layers: [] }));
    await sendAndDrop("PUT", `/v2/${repo}/manifests/half`, { "content-type": "application/vnd.oci.image.manifest.v1+json" }, body.subarray(0, 20), body.length);
    const res = await fetch(`${server.url}/v2/${repo}/manifests/half`, { headers: { authorization: auth } });
    expect(res.status).toBe(404);
  });
});
