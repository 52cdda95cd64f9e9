// Blob bytes over a real socket: the Node fast path (server/registry/send-file.ts) that the
// in-process tests do not reach.
import { randomBytes } from "node:crypto";
import { request } from "node:http";
import { afterAll, beforeAll, expect, it } from "vitest";
import { basic, sha256 } from "../../e2e/support/registry-client.ts";
import { type TestServer, testServer } from "../../e2e/support/test-app.ts";

let server: TestServer;
let auth: { authorization: string };
const blob = randomBytes(1_300_000); // spans several of the sender's 512 KiB buffers
const digest = sha256(blob);
const url = (path: string) => `http://${server.host}${path}`;

beforeAll(async () => {
  server = await testServer({ QUAYSIDE_ADMIN_USER: "admin", QUAYSIDE_ADMIN_PASSWORD: "admin-password" });
  const tokenRes = await fetch(url("/v2/auth?scope=repository:admin/files:pull,push"), {
    headers: { authorization: basic("admin", "admin-password") },
  });
  auth = { authorization: `Bearer ${((await tokenRes.json()) as { token: string }).token}` };
  const push = await fetch(url(`/v2/admin/files/blobs/uploads/?digest=${digest}`), { method: "POST", headers: auth, body: blob });
  expect(push.status).toBe(201);
});
afterAll(() => server.close());

it("sends the whole blob with its headers", async () => {
  const res = await fetch(url(`/v2/admin/files/blobs/${digest}`), { headers: auth });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-length")).toBe(String(blob.length));
  expect(res.headers.get("docker-content-digest")).toBe(digest);
  expect(res.headers.get("docker-distribution-api-version")).toBe("registry/2.0");
  expect(sha256(new Uint8Array(await res.arrayBuffer()))).toBe(digest);
});

it("sends a blob smaller than one buffer", async () => {
  const small = Buffer.from('{"small": true}');
  const smallDigest = sha256(small);
  await fetch(url(`/v2/admin/files/blobs/uploads/?digest=${smallDigest}`), { method: "POST", headers: auth, body: small });
  const res = await fetch(url(`/v2/admin/files/blobs/${smallDigest}`), { headers: auth });
  expect(Buffer.from(await res.arrayBuffer()).equals(small)).toBe(true);
});

it("sends a range that crosses buffer boundaries", async () => {
  const res = await fetch(url(`/v2/admin/files/blobs/${digest}`), { headers: { ...auth, range: "bytes=500000-1100000" } });
  expect(res.status).toBe(206);
  expect(res.headers.get("content-range")).toBe(`bytes 500000-1100000/${blob.length}`);
  expect(Buffer.from(await res.arrayBuffer()).equals(blob.subarray(500000, 1100001))).toBe(true);
});

it("survives a client that hangs up mid-body, and keeps serving", async () => {
  await new Promise<void>((resolve, reject) => {
    const req = request(url(`/v2/admin/files/blobs/${digest}`), { headers: auth }, (res) => {
      res.once("data", () => {
        req.destroy();
        resolve();
      });
    });
    req.on("error", (err) => (req.destroyed ? undefined : reject(err)));
    req.end();
  });
  const again = await fetch(url(`/v2/admin/files/blobs/${digest}`), { headers: auth });
  expect(sha256(new Uint8Array(await again.arrayBuffer()))).toBe(digest);
});
