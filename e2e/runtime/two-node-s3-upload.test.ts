// Two server processes on one database and one S3 bucket (s3rver on loopback), nothing shared in
// memory or on disk: a chunked upload alternates between them chunk by chunk, with chunks under
// and over S3's 5 MiB smallest part, and finishes on either; the other serves the blob, and the
// bucket keeps no upload objects afterwards.
import { randomBytes } from "node:crypto";
import { ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startS3, type TestS3 } from "../support/s3-server.ts";
import { basic, sha256 } from "../support/registry-client.ts";
import { freshDatabaseUrl } from "../support/test-app.ts";
import { type ServerNode, startNode, stopNodes } from "./process.ts";

const MiB = 1024 * 1024;
const repo = "admin/alternating";

type Node = ServerNode;

const nodes: Node[] = [];
let s3: TestS3;
let databaseUrl: string;
let auth: string;

const startTwinNode = (extra: Record<string, string>) => startNode({ DATABASE_URL: databaseUrl, ...s3.env("two-nodes"), ...extra }, nodes);

beforeAll(async () => {
  s3 = await startS3();
  databaseUrl = await freshDatabaseUrl();
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
  await s3?.close();
});

async function uploadObjects(): Promise<string[]> {
  const client = new S3Client({
    endpoint: s3.endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
  });
  const listed = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: "two-nodes/uploads/" }));
  client.destroy();
  return (listed.Contents ?? []).map((o) => o.Key!);
}

it("a chunked upload alternating between two nodes completes, and the other node serves it", { timeout: 120_000 }, async () => {
  const [a, b] = nodes as [Node, Node];
  const chunks = [3 * MiB, 4 * MiB, 7 * MiB + 11, 1, 6 * MiB];
  const data = randomBytes(chunks.reduce((x, y) => x + y) + 1000); // the last 1000 bytes come with the PUT
  const start = await fetch(`${a.url}/v2/${repo}/blobs/uploads/`, { method: "POST", headers: { authorization: auth } });
  expect(start.status).toBe(202);
  const location = start.headers.get("location")!;
  let offset = 0;
  for (const [i, size] of chunks.entries()) {
    const node = i % 2 === 0 ? b : a; // never the node that took the previous chunk
    const res = await fetch(`${node.url}${location}`, {
      method: "PATCH",
      headers: { authorization: auth, "content-range": `${offset}-${offset + size - 1}` },
      body: data.subarray(offset, offset + size),
    });
    expect(res.status, `chunk ${i} on node ${node === a ? "A" : "B"}`).toBe(202);
    offset += size;
    expect(res.headers.get("range")).toBe(`0-${offset - 1}`);
  }
  const put = await fetch(`${a.url}${location}?digest=${sha256(data)}`, {
    method: "PUT",
    headers: { authorization: auth },
    body: data.subarray(offset),
  });
  expect(put.status).toBe(201);

  const pulled = await fetch(`${b.url}/v2/${repo}/blobs/${sha256(data)}`, { headers: { authorization: auth } });
  expect(pulled.status).toBe(200);
  expect(sha256(Buffer.from(await pulled.arrayBuffer()))).toBe(sha256(data));
  expect(await uploadObjects()).toEqual([]);
});
