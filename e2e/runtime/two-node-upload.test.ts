// Two server processes on one database and one blob directory (no shared memory) race
// overlapping PATCHes on one upload session (its first chunk, or its second), again and again. Whatever the interleaving, a blob
// is only ever stored under the digest of its bytes, and the session keeps exactly one body.
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, expect, it } from "vitest";
import { basic, sha256 } from "../support/registry-client.ts";
import { freshDatabaseUrl } from "../support/test-app.ts";
import { type ServerNode, startNode, stopNodes } from "./process.ts";

const ITERATIONS = 20;
const BODY_BYTES = 3 * 1024 * 1024;
const repo = "admin/raced";

type Node = ServerNode;

const nodes: Node[] = [];
const dirs: string[] = [];
let databaseUrl: string;
let storage: string;
let auth: string;

const startTwinNode = (extra: Record<string, string>) => startNode({ DATABASE_URL: databaseUrl, STORAGE: storage, ...extra }, nodes);

beforeAll(async () => {
  databaseUrl = await freshDatabaseUrl();
  storage = await mkdtemp(join(tmpdir(), "quayside-shared-blobs-"));
  dirs.push(storage);
  // One after the other: the first runs the migrations and stores the token signing key.
  await startTwinNode({ QUAYSIDE_ADMIN_USER: "admin", QUAYSIDE_ADMIN_PASSWORD: "admin-password" });
  await startTwinNode({ QUAYSIDE_ROLE: "web" });
  const res = await fetch(`${nodes[0]!.url}/v2/auth?scope=repository:${repo}:pull,push`, {
    headers: { authorization: basic("admin", "admin-password") },
  });
  auth = `Bearer ${((await res.json()) as { token: string }).token}`;
}, 180_000);

afterAll(async () => {
  await stopNodes(nodes);
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/** The body in 64 KiB slices with a pause between them, so two requests overlap for sure. */
function trickle(data: Buffer): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    async pull(controller) {
      if (offset >= data.length) return controller.close();
      await new Promise((r) => setTimeout(r, 1));
      controller.enqueue(data.subarray(offset, (offset += 64 * 1024)));
    },
  });
}

function patch(node: Node, location: string, offset: number, data: Buffer): Promise<Response> {
  return fetch(`${node.url}${location}`, {
    method: "PATCH",
    headers: {
      authorization: auth,
      "content-type": "application/octet-stream",
      "content-range": `${offset}-${offset + data.length - 1}`,
    },
    body: trickle(data),
    duplex: "half",
  } as RequestInit);
}

async function put(node: Node, location: string, digest: string): Promise<Response> {
  return fetch(`${node.url}${location}?digest=${digest}`, { method: "PUT", headers: { authorization: auth } });
}

async function blobDigest(node: Node, digest: string): Promise<string> {
  const res = await fetch(`${node.url}/v2/${repo}/blobs/${digest}`, { headers: { authorization: auth } });
  expect(res.status).toBe(200);
  return sha256(Buffer.from(await res.arrayBuffer()));
}

it("never stores a blob whose bytes differ from its digest, nor leaves a session without its bytes", { timeout: 300_000 }, async () => {
  const [a, b] = nodes as [Node, Node];
  const bodyA = randomBytes(BODY_BYTES);
  const bodyB = randomBytes(BODY_BYTES);
  const first = randomBytes(1024 * 1024);
  for (let i = 0; i < ITERATIONS; i++) {
    const start = await fetch(`${a.url}/v2/${repo}/blobs/uploads/`, { method: "POST", headers: { authorization: auth } });
    expect(start.status).toBe(202);
    const location = start.headers.get("location")!;
    // Every other time the race is over the session's second chunk instead of its first.
    const prefix = i % 2 === 0 ? Buffer.alloc(0) : first;
    if (prefix.length > 0) expect((await patch(a, location, 0, prefix)).status).toBe(202);
    const [resA, resB] = await Promise.all([patch(a, location, prefix.length, bodyA), patch(b, location, prefix.length, bodyB)]);
    const statuses = [resA.status, resB.status];
    const blobA = Buffer.concat([prefix, bodyA]);
    const blobB = Buffer.concat([prefix, bodyB]);

    // The PUT goes to the node whose running hash covers body B: if B's chunk was the one kept,
    // the blob is B; otherwise the digest does not match what the session holds.
    const finish = await put(b, location, sha256(blobB));
    if (finish.status === 201) {
      expect(await blobDigest(a, sha256(blobB)), `iteration ${i}: blob B's bytes`).toBe(sha256(blobB));
    } else {
      expect(finish.status, `iteration ${i}: PUT with B's digest`).toBe(400);
      // The session holds exactly body A: node B, which never saw A, finishes it from the stored bytes.
      const finishA = await put(b, location, sha256(blobA));
      expect(finishA.status, `iteration ${i}: PUT with A's digest (statuses ${statuses})`).toBe(201);
      expect(await blobDigest(a, sha256(blobA)), `iteration ${i}: blob A's bytes`).toBe(sha256(blobA));
    }
    // One PATCH was kept; the other was answered as out of order, in the OCI error shape.
    expect(statuses.sort(), `iteration ${i}`).toEqual([202, 416]);
    const loser = resA.status === 416 ? resA : resB;
    expect(((await loser.json()) as { errors: { code: string }[] }).errors[0]!.code).toBe("RANGE_INVALID");
  }

  // Every stored blob hashes to its name, and no session row is left behind.
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    expect(await sql`select id from uploads`).toEqual([]);
  } finally {
    await sql.end();
  }
  const root = join(storage, "blobs", "sha256");
  for (const prefix of await readdir(root)) {
    for (const name of await readdir(join(root, prefix))) {
      const bytes = await readFile(join(root, prefix, name));
      expect(createHash("sha256").update(bytes).digest("hex"), `stored blob ${name}`).toBe(name);
    }
  }
});
