// A cluster as deployed: two web nodes and two worker nodes (separate processes, QUAYSIDE_ROLE) on
// one Postgres and one S3 bucket. A tag moved through one web node is served by the other; the
// minute's tag-expiry job is sent once cluster-wide; a garbage-collection job whose worker is
// SIGKILLed in the middle of its run is finished by the other worker, through pg-boss's expiry
// and retry and the run's stale-heartbeat resumption.
import PgBoss from "pg-boss";
import postgres from "postgres";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startS3, type TestS3 } from "../support/s3-server.ts";
import { basic, RegistryClient } from "../support/registry-client.ts";
import { connect } from "../../db/client.ts";
import { createAccessToken } from "../../server/domain/accounts/oauth-tokens.ts";
import { freshDatabaseUrl, type TestEnv } from "../support/test-app.ts";
import { type ServerNode, startNode, stopNodes } from "./process.ts";
import { callApi } from "../support/api-client.ts";

const GARBAGE = 10_000;

type Node = ServerNode;

const started: Node[] = [];
let s3: TestS3;
let databaseUrl: string;
let sql: postgres.Sql;
let boss: PgBoss;
let adminToken: string;
let webA: Node, webB: Node, workerOne: Node, workerTwo: Node;

const startRole = (role: "web" | "worker", extra: Record<string, string> = {}) =>
  startNode({ DATABASE_URL: databaseUrl, QUAYSIDE_ROLE: role, ...s3.env("cluster"), ...extra }, started);

/** A registry client whose requests go to one node over HTTP. */
function clientOf(node: Node): RegistryClient {
  const app = { request: (path: string, init?: RequestInit) => fetch(`${node.url}${path}`, init) };
  return new RegistryClient({ app } as unknown as TestEnv, { username: "admin", password: "admin-password" });
}

/** A Quay API call to one node with the admin's OAuth token. */
const api = (node: Node, method: string, path: string, body?: unknown) => callApi(node.url, adminToken, method, path, body);

const signal = (node: Node, name: NodeJS.Signals) => process.kill(-node.proc.child.pid!, name);

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, tries = 300): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`never happened: ${what}`);
}

beforeAll(async () => {
  s3 = await startS3();
  databaseUrl = await freshDatabaseUrl();
  // The first node runs the migrations and stores the token signing key; the rest start together.
  webA = await startRole("web", { QUAYSIDE_ADMIN_USER: "admin", QUAYSIDE_ADMIN_PASSWORD: "admin-password" });
  [webB, workerOne, workerTwo] = await Promise.all([startRole("web"), startRole("worker"), startRole("worker")]);
  sql = postgres(databaseUrl, { max: 2, onnotice: () => {} });
  // Sends jobs only: no schedule, no maintenance of its own.
  boss = new PgBoss({ connectionString: databaseUrl, max: 2, schedule: false, supervise: false });
  await boss.start();
  const database = connect(databaseUrl, { max: 1 });
  try {
    const [admin] = await sql<{ id: number }[]>`select id from users where username = 'admin'`;
    adminToken = await createAccessToken(database.db, admin!.id, null, ["repo:admin", "repo:create", "user:admin", "org:admin"]);
  } finally {
    await database.close();
  }
}, 120_000);

afterAll(async () => {
  await boss?.stop({ graceful: false, wait: true });
  await sql?.end();
  await stopNodes(started);
  await s3?.close();
});

it("serves a tag moved through one web node from the other", { timeout: 30_000 }, async () => {
  const first = await clientOf(webA).pushImage("admin/moving", "latest");
  const digestOnB = async () =>
    (await clientOf(webB).request("/v2/admin/moving/manifests/latest", { method: "HEAD" })).headers.get("docker-content-digest");
  expect(await digestOnB()).toBe(first.digest); // now held in node B's cache
  const second = await clientOf(webA).pushImage("admin/moving", "latest");
  await eventually("node B serves the moved tag", async () => ((await digestOnB()) === second.digest ? true : undefined));
});

it("honours on the other web node a robot token regenerated and a grant revoked on one", { timeout: 30_000 }, async () => {
  await clientOf(webA).pushImage("admin/guarded", "v1");
  const created = await api(webA, "PUT", "/user/robots/ci", {});
  expect(created.status).toBe(201);
  expect((await api(webA, "PUT", "/repository/admin/guarded/permissions/user/admin+ci", { role: "read" })).status).toBe(200);
  const path = "/v2/admin/guarded/tags/list";
  /** The robot's Basic login and a bearer token node B issued for it. */
  async function credentialsFromB(token: string): Promise<string[]> {
    const login = basic("admin+ci", token);
    const issued = await fetch(`${webB.url}/v2/auth?service=registry.test&scope=repository:admin/guarded:pull`, { headers: { authorization: login } });
    expect(issued.status).toBe(200);
    return [login, `Bearer ${((await issued.json()) as { token: string }).token}`];
  }
  /** Node B's answers to these credentials (remembered after the first use). */
  const statusesOnB = async (credentials: string[]) =>
    Promise.all(credentials.map(async (authorization) => (await fetch(`${webB.url}${path}`, { headers: { authorization } })).status));

  const oldCredentials = await credentialsFromB((created.body as { token: string }).token);
  expect(await statusesOnB(oldCredentials)).toEqual([200, 200]);
  const regenerated = await api(webA, "POST", "/user/robots/ci/regenerate");
  expect(regenerated.status).toBe(200);
  await expect.poll(() => statusesOnB(oldCredentials), { interval: 100, timeout: 10_000 }).toEqual([401, 401]);

  const newCredentials = await credentialsFromB((regenerated.body as { token: string }).token);
  expect(await statusesOnB(newCredentials)).toEqual([200, 200]);
  expect((await api(webA, "DELETE", "/repository/admin/guarded/permissions/user/admin+ci")).status).toBe(204);
  // A known robot without the right, whether by its login or its token: DENIED.
  await expect.poll(() => statusesOnB(newCredentials), { interval: 100, timeout: 10_000 }).toEqual([403, 403]);
});

it("finishes on the other worker a garbage collection whose worker was killed mid-run", { timeout: 60_000 }, async () => {
  // One tagged image, and GARBAGE untagged manifests made two hours ago behind the registry's back.
  await clientOf(webA).pushImage("admin/collected", "kept");
  await sql`
    with m as (
      insert into manifests (repository_id, digest, media_type, raw, config_digest, layers_size, created_at)
      select r.id, 'sha256:' || md5('g' || i) || md5(i || 'g'), 'application/vnd.oci.image.manifest.v1+json',
             '\\x7b7d'::bytea, k.config_digest, k.layers_size, now() - interval '2 hours'
      from generate_series(1, ${GARBAGE}::int) i,
           repositories r join manifests k on k.repository_id = r.id
      where r.name = 'collected'
      returning id
    )
    insert into manifest_blobs (manifest_id, position, digest, size)
    select m.id, b.position, b.digest, b.size from m,
      manifest_blobs b join manifests k on k.id = b.manifest_id join repositories r on r.id = k.repository_id
    where r.name = 'collected' and k.created_at > now() - interval '1 hour'`;

  // Worker two is frozen, so worker one takes the job; it is killed once the run has made progress.
  signal(workerTwo, "SIGSTOP");
  const jobId = (await boss.send("garbage-collection", {}))!;
  const run = await eventually("the run deletes its first batch", async () => {
    const [row] = await sql<{ id: number; manifests_deleted: number; finished_at: Date | null }[]>`
      select id, manifests_deleted, finished_at from gc_runs`;
    return row && row.manifests_deleted > 0 ? row : undefined;
  }, 600);
  signal(workerOne, "SIGKILL");
  expect(await workerOne.proc.stop()).toBe("SIGKILL");
  const [halfway] = await sql<{ finished_at: Date | null; manifests_deleted: number }[]>`select finished_at, manifests_deleted from gc_runs`;
  expect(halfway!.finished_at, "the run was still going when its worker was killed").toBeNull();
  expect(halfway!.manifests_deleted).toBeLessThan(GARBAGE);

  // Seven minutes pass (moved back in the database rather than waited for): the run's heartbeat is
  // stale (5 minutes) and the job past its expiry (6; pg-boss's default was 15), so maintenance
  // hands the job to the next worker, which resumes the run.
  await sql`update gc_runs set heartbeat_at = heartbeat_at - interval '7 minutes'`;
  await sql`update pgboss.job set started_on = started_on - interval '7 minutes' where id = ${jobId}`;
  signal(workerTwo, "SIGCONT");
  await boss.expire();

  const finished = await eventually("worker two finishes the run", async () => {
    const [row] = await sql<{ id: number; manifests_deleted: number; finished_at: Date | null }[]>`
      select id, manifests_deleted, finished_at from gc_runs`;
    return row?.finished_at ? row : undefined;
  });
  expect(finished.id).toBe(run.id); // resumed, not started over
  expect(finished.manifests_deleted).toBe(GARBAGE);
  const [{ left }] = (await sql`
    select count(*)::int as left from manifests m join repositories r on r.id = m.repository_id where r.name = 'collected'`) as unknown as [{ left: number }];
  expect(left).toBe(1);
  const job = await eventually("the job completes", async () => {
    const found = await boss.getJobById("garbage-collection", jobId);
    return found?.state === "completed" ? found : undefined;
  });
  expect(job.retryCount).toBe(1);
  // The cluster still serves: the tagged image is there on both web nodes.
  for (const node of [webA, webB]) expect((await clientOf(node).request("/v2/admin/collected/manifests/kept")).status).toBe(200);
});

it("sends each minute's tag-expiry job once, whichever worker's clock saw the minute", async () => {
  // Both workers started together, each evaluating the schedule at start-up.
  const perMinute = await sql<{ minute: Date; jobs: number }[]>`
    select date_trunc('minute', created_on) as minute, count(*)::int as jobs
    from pgboss.job where name = 'tag-expiry' group by 1 order by 1`;
  expect(perMinute.length).toBeGreaterThan(0);
  for (const { minute, jobs } of perMinute) expect(jobs, `tag-expiry jobs created in ${minute.toISOString()}`).toBe(1);
  await eventually("a tag-expiry job completes", async () => {
    const [{ done }] = (await sql`
      select count(*)::int as done from pgboss.job where name = 'tag-expiry' and state = 'completed'`) as unknown as [{ done: number }];
    return done > 0 ? true : undefined;
  });
});
