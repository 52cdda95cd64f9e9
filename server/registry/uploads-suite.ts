// The registry's blob upload and read tests, run by uploads.test.ts on the filesystem store and
// by uploads-s3.test.ts on S3: whatever the store, the OCI door behaves the same.
import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RegistryClient, sha256 } from "../../e2e/support/registry-client.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";

let env: TestEnv;
let alice: RegistryClient;
const repo = "alice/uploads";

/** Registers the tests on a server configured with `settings()` (read once, before they run). */
export function uploadsSuite(settings: () => Record<string, string>): void {
  beforeAll(async () => {
    env = await testEnv(settings());
    await env.user("alice");
    alice = new RegistryClient(env, { username: "alice", password: "password-alice" });
  });
  afterAll(() => env.close());

  const body = (data: Uint8Array) => data as Uint8Array<ArrayBuffer>;

  async function errorCode(res: Response): Promise<string> {
    const json = (await res.json()) as { errors: { code: string }[] };
    return json.errors[0]!.code;
  }

  async function startSession(): Promise<string> {
    const res = await alice.request(`/v2/${repo}/blobs/uploads/`, { method: "POST" });
    expect(res.status).toBe(202);
    expect(res.headers.get("range")).toBe("0-0");
    const location = res.headers.get("location")!;
    expect(location).toMatch(new RegExp(`^/v2/${repo}/blobs/uploads/[0-9a-f-]{36}$`));
    expect(res.headers.get("docker-upload-uuid")).toBe(location.split("/").pop());
    return location;
  }

  describe("monolithic upload", () => {
    it("POST ?digest= stores the blob in one request", async () => {
      const data = randomBytes(100_000);
      const digest = sha256(data);
      const res = await alice.request(`/v2/${repo}/blobs/uploads/?digest=${digest}`, { method: "POST", body: body(data) });
      expect(res.status).toBe(201);
      expect(res.headers.get("location")).toBe(`/v2/${repo}/blobs/${digest}`);
      expect(res.headers.get("docker-content-digest")).toBe(digest);
      const get = await alice.request(`/v2/${repo}/blobs/${digest}`);
      expect(get.status).toBe(200);
      expect(get.headers.get("content-length")).toBe("100000");
      expect(Buffer.from(await get.arrayBuffer()).equals(data)).toBe(true);
    });

    it("POST then PUT with the whole body", async () => {
      const location = await startSession();
      const data = randomBytes(5000);
      const digest = sha256(data);
      const res = await alice.request(`${location}?digest=${digest}`, { method: "PUT", body: body(data) });
      expect(res.status).toBe(201);
      expect(res.headers.get("docker-content-digest")).toBe(digest);
      expect((await alice.request(`/v2/${repo}/blobs/${digest}`, { method: "HEAD" })).status).toBe(200);
    });

    it("rejects a digest that does not match and stores nothing", async () => {
      const data = randomBytes(1000);
      const wrong = sha256("something else");
      const res = await alice.request(`/v2/${repo}/blobs/uploads/?digest=${wrong}`, { method: "POST", body: body(data) });
      expect(res.status).toBe(400);
      expect(await errorCode(res)).toBe("DIGEST_INVALID");
      expect((await alice.request(`/v2/${repo}/blobs/${wrong}`, { method: "HEAD" })).status).toBe(404);
      expect((await alice.request(`/v2/${repo}/blobs/${sha256(data)}`, { method: "HEAD" })).status).toBe(404);
    });

    it("rejects unknown digest algorithms and malformed digests with DIGEST_INVALID", async () => {
      for (const digest of ["md5:d41d8cd98f00b204e9800998ecf8427e", "sha256:short", "sha256:" + "Z".repeat(64)]) {
        const res = await alice.request(`/v2/${repo}/blobs/uploads/?digest=${digest}`, { method: "POST", body: "x" });
        expect(res.status).toBe(400);
        expect(await errorCode(res)).toBe("DIGEST_INVALID");
      }
    });

    it("accepts sha512 digests", async () => {
      const data = randomBytes(3000);
      const digest = `sha512:${createHash("sha512").update(data).digest("hex")}`;
      const res = await alice.request(`/v2/${repo}/blobs/uploads/?digest=${digest}`, { method: "POST", body: body(data) });
      expect(res.status).toBe(201);
      const get = await alice.request(`/v2/${repo}/blobs/${digest}`);
      expect(get.status).toBe(200);
      expect(get.headers.get("docker-content-digest")).toBe(digest);
      expect(Buffer.from(await get.arrayBuffer()).equals(data)).toBe(true);
    });

    it("stores an empty blob", async () => {
      const digest = sha256("");
      const res = await alice.request(`/v2/${repo}/blobs/uploads/?digest=${digest}`, { method: "POST" });
      expect(res.status).toBe(201);
      const get = await alice.request(`/v2/${repo}/blobs/${digest}`);
      expect(get.status).toBe(200);
      expect(get.headers.get("content-length")).toBe("0");
    });
  });

  describe("chunked upload", () => {
    it("PATCHes chunks in order, reports progress and finishes with PUT", async () => {
      const data = randomBytes(300_000);
      const location = await startSession();
      const chunks = [data.subarray(0, 100_000), data.subarray(100_000, 250_000), data.subarray(250_000)];
      let offset = 0;
      for (const chunk of chunks.slice(0, 2)) {
        const res = await alice.request(location, {
          method: "PATCH",
          headers: {
            "content-type": "application/octet-stream",
            "content-range": `${offset}-${offset + chunk.length - 1}`,
            "content-length": String(chunk.length),
          },
          body: body(chunk),
        });
        expect(res.status).toBe(202);
        offset += chunk.length;
        expect(res.headers.get("range")).toBe(`0-${offset - 1}`);
        expect(res.headers.get("location")).toBe(location);
      }
      const status = await alice.request(location);
      expect(status.status).toBe(204);
      expect(status.headers.get("range")).toBe("0-249999");
      expect(status.headers.get("docker-upload-uuid")).toBe(location.split("/").pop());

      const digest = sha256(data);
      const last = chunks[2]!;
      const done = await alice.request(`${location}?digest=${digest}`, {
        method: "PUT",
        headers: { "content-range": `250000-${250000 + last.length - 1}`, "content-length": String(last.length) },
        body: body(last),
      });
      expect(done.status).toBe(201);
      const get = await alice.request(`/v2/${repo}/blobs/${digest}`);
      expect(Buffer.from(await get.arrayBuffer()).equals(data)).toBe(true);
      // The session is gone once finished.
      expect((await alice.request(location)).status).toBe(404);
    });

    it("streams a PATCH without Content-Range", async () => {
      const data = randomBytes(70_000);
      const location = await startSession();
      expect((await alice.request(location, { method: "PATCH", body: body(data) })).status).toBe(202);
      const done = await alice.request(`${location}?digest=${sha256(data)}`, { method: "PUT" });
      expect(done.status).toBe(201);
    });

    it("answers 416 to an out-of-order chunk and keeps the session usable", async () => {
      const data = randomBytes(2000);
      const location = await startSession();
      await alice.request(location, { method: "PATCH", headers: { "content-range": "0-999" }, body: body(data.subarray(0, 1000)) });
      const skip = await alice.request(location, {
        method: "PATCH",
        headers: { "content-range": "1500-1999" },
        body: body(data.subarray(1500)),
      });
      expect(skip.status).toBe(416);
      expect(await errorCode(skip)).toBe("RANGE_INVALID");
      const overlap = await alice.request(location, {
        method: "PATCH",
        headers: { "content-range": "0-999" },
        body: body(data.subarray(0, 1000)),
      });
      expect(overlap.status).toBe(416);
      const next = await alice.request(location, {
        method: "PATCH",
        headers: { "content-range": "1000-1999" },
        body: body(data.subarray(1000)),
      });
      expect(next.status).toBe(202);
      expect((await alice.request(`${location}?digest=${sha256(data)}`, { method: "PUT" })).status).toBe(201);
    });

    it("rejects a chunk whose length does not match its Content-Range", async () => {
      const location = await startSession();
      const res = await alice.request(location, { method: "PATCH", headers: { "content-range": "0-99" }, body: "short" });
      expect([400, 416]).toContain(res.status);
      expect((await alice.request(location)).headers.get("range")).toBe("0-0");
    });

    it("leaves the session open when the final digest does not match", async () => {
      const data = randomBytes(1000);
      const location = await startSession();
      await alice.request(location, { method: "PATCH", body: body(data) });
      const bad = await alice.request(`${location}?digest=${sha256("other")}`, { method: "PUT" });
      expect(bad.status).toBe(400);
      expect(await errorCode(bad)).toBe("DIGEST_INVALID");
      expect((await alice.request(`${location}?digest=${sha256(data)}`, { method: "PUT" })).status).toBe(201);
    });

    it("keeps a final chunk whose digest does not match, so the session can still finish", async () => {
      const head = randomBytes(500);
      const tail = randomBytes(300);
      const location = await startSession();
      await alice.request(location, { method: "PATCH", body: body(head) });
      const bad = await alice.request(`${location}?digest=${sha256("other")}`, { method: "PUT", body: body(tail) });
      expect(await errorCode(bad)).toBe("DIGEST_INVALID");
      expect((await alice.request(location)).headers.get("range")).toBe("0-799");
      const whole = Buffer.concat([head, tail]);
      expect((await alice.request(`${location}?digest=${sha256(whole)}`, { method: "PUT" })).status).toBe(201);
    });

    it("requires ?digest= on PUT", async () => {
      const location = await startSession();
      const res = await alice.request(location, { method: "PUT" });
      expect(res.status).toBe(400);
      expect(await errorCode(res)).toBe("DIGEST_INVALID");
    });

    it("cancels a session with DELETE", async () => {
      const location = await startSession();
      await alice.request(location, { method: "PATCH", body: "abc" });
      expect((await alice.request(location, { method: "DELETE" })).status).toBe(204);
      const after = await alice.request(location);
      expect(after.status).toBe(404);
      expect(await errorCode(after)).toBe("BLOB_UPLOAD_UNKNOWN");
    });

    it("answers BLOB_UPLOAD_UNKNOWN for unknown or foreign sessions", async () => {
      for (const path of [
        `/v2/${repo}/blobs/uploads/00000000-0000-4000-8000-000000000000`,
        `/v2/${repo}/blobs/uploads/not-a-uuid`,
      ]) {
        const res = await alice.request(path, { method: "PATCH", body: "x" });
        expect(res.status).toBe(404);
        expect(await errorCode(res)).toBe("BLOB_UPLOAD_UNKNOWN");
      }
      // A session belongs to the repository it was opened in.
      const location = await startSession();
      const other = location.replace(repo, "alice/elsewhere");
      await alice.pushBlob("alice/elsewhere", "make the repo exist");
      const res = await alice.request(other);
      expect(res.status).toBe(404);
    });

    it("takes chunks under and over 5 MiB (S3's smallest part) and serves ranges across them", async () => {
      const MiB = 1024 * 1024;
      const data = randomBytes(17 * MiB + 5);
      const chunks = [3 * MiB, 1, 7 * MiB, 2 * MiB - 1]; // the rest comes with the PUT
      const location = await startSession();
      let offset = 0;
      for (const size of chunks) {
        const res = await alice.request(location, {
          method: "PATCH",
          headers: { "content-range": `${offset}-${offset + size - 1}` },
          body: body(data.subarray(offset, offset + size)),
        });
        expect(res.status).toBe(202);
        offset += size;
        expect(res.headers.get("range")).toBe(`0-${offset - 1}`);
      }
      const done = await alice.request(`${location}?digest=${sha256(data)}`, { method: "PUT", body: body(data.subarray(offset)) });
      expect(done.status).toBe(201);
      const whole = await alice.request(`/v2/${repo}/blobs/${sha256(data)}`);
      expect(Buffer.from(await whole.arrayBuffer()).equals(data)).toBe(true);
      const range = await alice.request(`/v2/${repo}/blobs/${sha256(data)}`, { headers: { range: `bytes=${3 * MiB - 2}-${10 * MiB + 2}` } });
      expect(range.status).toBe(206);
      expect(Buffer.from(await range.arrayBuffer()).equals(data.subarray(3 * MiB - 2, 10 * MiB + 3))).toBe(true);
    });

    it("resumes a session in a fresh process state (hash rebuilt from stored bytes)", async () => {
      const data = randomBytes(50_000);
      const location = await startSession();
      await alice.request(location, { method: "PATCH", body: body(data.subarray(0, 20_000)) });
      // Simulate another node: a second app over the same database and storage has no running hash.
      const { buildApp } = await import("../app.ts");
      const { buildDeps } = await import("../runtime.ts");
      const other = buildApp(await buildDeps(env.config, env.database));
      const token = await alice.token(`repository:${repo}:pull,push`);
      const res = await other.request(location, {
        method: "PATCH",
        headers: { authorization: `Bearer ${token}`, "content-range": "20000-49999" },
        body: body(data.subarray(20_000)),
      });
      expect(res.status).toBe(202);
      const done = await other.request(`${location}?digest=${sha256(data)}`, {
        method: "PUT",
        headers: { authorization: `Bearer ${token}` },
      });
      expect(done.status).toBe(201);
    });
  });

  describe("blob reads and deletes", () => {
    it("serves byte ranges with 206 and rejects unsatisfiable ones with 416", async () => {
      const data = Buffer.from("0123456789abcdef");
      const digest = await alice.pushBlob(repo, data);
      const part = await alice.request(`/v2/${repo}/blobs/${digest}`, { headers: { range: "bytes=2-5" } });
      expect(part.status).toBe(206);
      expect(part.headers.get("content-range")).toBe(`bytes 2-5/${data.length}`);
      expect(await part.text()).toBe("2345");
      const tail = await alice.request(`/v2/${repo}/blobs/${digest}`, { headers: { range: "bytes=-3" } });
      expect(await tail.text()).toBe("def");
      const open = await alice.request(`/v2/${repo}/blobs/${digest}`, { headers: { range: "bytes=10-" } });
      expect(await open.text()).toBe("abcdef");
      const bad = await alice.request(`/v2/${repo}/blobs/${digest}`, { headers: { range: "bytes=100-200" } });
      expect(bad.status).toBe(416);
      expect(bad.headers.get("content-range")).toBe(`bytes */${data.length}`);
    });

    it("HEAD reports size and digest without a body", async () => {
      const digest = await alice.pushBlob(repo, "head me");
      const res = await alice.request(`/v2/${repo}/blobs/${digest}`, { method: "HEAD" });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-length")).toBe("7");
      expect(res.headers.get("docker-content-digest")).toBe(digest);
      expect(await res.text()).toBe("");
    });

    it("answers BLOB_UNKNOWN for a blob not in the repository (even if stored elsewhere)", async () => {
      const digest = await alice.pushBlob("alice/private-source", "only over there");
      const res = await alice.request(`/v2/${repo}/blobs/${digest}`);
      expect(res.status).toBe(404);
      expect(await errorCode(res)).toBe("BLOB_UNKNOWN");
      expect((await alice.request(`/v2/${repo}/blobs/${digest}`, { method: "HEAD" })).status).toBe(404);
    });

    it("DELETE removes the blob from the repository", async () => {
      const digest = await alice.pushBlob(repo, "delete me");
      const res = await alice.request(`/v2/${repo}/blobs/${digest}`, { method: "DELETE" });
      expect(res.status).toBe(202);
      expect((await alice.request(`/v2/${repo}/blobs/${digest}`, { method: "HEAD" })).status).toBe(404);
      const again = await alice.request(`/v2/${repo}/blobs/${digest}`, { method: "DELETE" });
      expect(again.status).toBe(404);
      expect(await errorCode(again)).toBe("BLOB_UNKNOWN");
    });
  });

  describe("cross-repository mount", () => {
    it("mounts a blob the caller can read", async () => {
      const digest = await alice.pushBlob("alice/mount-source", "shared layer");
      const token = await alice.token("repository:alice/mount-target:pull,push", "repository:alice/mount-source:pull");
      const res = await env.app.request(`/v2/alice/mount-target/blobs/uploads/?mount=${digest}&from=alice/mount-source`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.status).toBe(201);
      expect(res.headers.get("location")).toBe(`/v2/alice/mount-target/blobs/${digest}`);
      expect((await alice.request(`/v2/alice/mount-target/blobs/${digest}`, { method: "HEAD" })).status).toBe(200);
    });

    it("falls back to an upload session when the caller cannot read the source", async () => {
      const digest = await alice.pushBlob("alice/secret", "alice's layer");
      await env.user("mallory");
      const mallory = new RegistryClient(env, { username: "mallory", password: "password-mallory" });
      const token = await mallory.token("repository:mallory/loot:pull,push", "repository:alice/secret:pull");
      const res = await env.app.request(`/v2/mallory/loot/blobs/uploads/?mount=${digest}&from=alice/secret`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.status).toBe(202);
      expect(res.headers.get("location")).toMatch(/^\/v2\/mallory\/loot\/blobs\/uploads\//);
      expect((await mallory.request(`/v2/mallory/loot/blobs/${digest}`, { method: "HEAD" })).status).toBe(404);
    });

    it("falls back when the blob is not in the source repository", async () => {
      const res = await alice.request(`/v2/${repo}/blobs/uploads/?mount=${sha256("nowhere")}&from=alice/mount-source`, {
        method: "POST",
      });
      expect(res.status).toBe(202);
    });
  });
}
