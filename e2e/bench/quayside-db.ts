// Direct access to the benchmark server's embedded Postgres, to fill the scale rows (100 000
// tags or repositories) in a second instead of pushing them over HTTP. The server keeps running
// as `npm start` runs it; we find its cluster from the data dir it was given.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import postgres from "postgres";
import type { BenchServer } from "./server-process.ts";

export interface QuaysideDb {
  /** Adds live tags `names` in `repo` ("ns/name") pointing at the manifest `digest` already pushed there. */
  addTags(repo: string, digest: string, names: string[]): Promise<void>;
  /** Adds empty private repositories `namespace/<name>` for each name. */
  addRepositories(namespace: string, names: string[]): Promise<void>;
  /** Adds robot `namespace+short` with `token`, holding `role` on each of `namespace/<name>`. */
  addRobotWithGrants(namespace: string, short: string, token: string, names: string[], role: "read" | "write"): Promise<void>;
  /**
   * Adds `total` usage-log rows to namespace `namespace` (half of them in repository `repo`), spread
   * evenly over the last `days` days, performed by the namespace's own user; then vacuums and analyzes.
   */
  addLogRows(namespace: string, repo: string, total: number, days: number): Promise<void>;
  /** Vacuums and analyzes the tags table, as autovacuum soon does after a bulk insert. */
  settleTags(): Promise<void>;
  /** A live tag's place in the Tags tab's order, as its `after=` parameter spells it. */
  tagPosition(repo: string, name: string): Promise<string>;
  countRepositories(): Promise<number>;
  postgresVersion(): Promise<string>;
  close(): Promise<void>;
}

/** The benchmark server's database, found from the data dir it was given. */
export function quaysideDatabaseUrl(server: BenchServer): string {
  const password = readFileSync(join(server.dataDir, "postgres.password"), "utf8").trim();
  // postmaster.pid: pid, data dir, start time, port, ...
  const port = Number(readFileSync(join(server.dataDir, "postgres/postmaster.pid"), "utf8").split("\n")[3]);
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/quayside`;
}

export function connectQuaysideDb(server: BenchServer): QuaysideDb {
  const sql = postgres(quaysideDatabaseUrl(server), { max: 2, onnotice: () => {} });
  return {
    async addTags(repo, digest, names) {
      const [namespace, ...rest] = repo.split("/");
      const [row] = await sql<{ repoId: number; manifestId: number }[]>`
        select r.id as "repoId", m.id as "manifestId"
        from repositories r
        join namespaces n on n.id = r.namespace_id
        join manifests m on m.repository_id = r.id and m.digest = ${digest}
        where n.name = ${namespace!} and r.name = ${rest.join("/")}`;
      if (!row) throw new Error(`quayside: no manifest ${digest} in ${repo}`);
      for (let i = 0; i < names.length; i += 50_000) {
        await sql`
          insert into tags (repository_id, name, manifest_id, lifetime_start)
          select ${row.repoId}, t.name, ${row.manifestId}, now()
          from unnest(${names.slice(i, i + 50_000)}::text[]) as t(name)`;
      }
    },
    async addRepositories(namespace, names) {
      for (let i = 0; i < names.length; i += 50_000) {
        await sql`
          insert into repositories (namespace_id, name)
          select n.id, r.name
          from namespaces n, unnest(${names.slice(i, i + 50_000)}::text[]) as r(name)
          where n.name = ${namespace}`;
      }
    },
    async addRobotWithGrants(namespace, short, token, names, role) {
      const tokenHash = createHash("sha256").update(token).digest("hex");
      const [robot] = await sql<{ id: number }[]>`
        insert into users (kind, username, email, robot_owner_namespace_id, robot_token_hash)
        select 'robot', ${`${namespace}+${short}`}, '', n.id, ${tokenHash} from namespaces n where n.name = ${namespace}
        returning id`;
      for (let i = 0; i < names.length; i += 50_000) {
        await sql`
          insert into repo_permissions (repository_id, user_id, role)
          select r.id, ${robot!.id}, ${role}
          from repositories r join namespaces n on n.id = r.namespace_id
          where n.name = ${namespace} and r.name = any(${names.slice(i, i + 50_000)}::text[])`;
      }
    },
    async addLogRows(namespace, repo, total, days) {
      const [ids] = await sql<{ namespaceId: number; repoId: number; userId: number }[]>`
        select n.id as "namespaceId", r.id as "repoId", u.id as "userId"
        from namespaces n join repositories r on r.namespace_id = n.id join users u on u.namespace_id = n.id
        where n.name = ${namespace} and r.name = ${repo}`;
      if (!ids) throw new Error(`quayside: no repository ${namespace}/${repo}`);
      const step = (days * 86_400) / total;
      for (let from = 0; from < total; from += 1_000_000) {
        const to = Math.min(total, from + 1_000_000) - 1;
        await sql`
          insert into audit_log (kind, namespace_id, repository_id, performer_id, ip, metadata, created_at)
          select (array['pull_repo', 'push_repo', 'create_tag', 'delete_tag', 'change_repo_permission'])[1 + i % 5],
                 ${ids.namespaceId}, case when i % 2 = 0 then ${ids.repoId}::int end, ${ids.userId}, '10.0.0.1',
                 jsonb_build_object('repo', ${repo}::text, 'tag', 't' || (i % 1000)),
                 now() - make_interval(secs => i * ${step}::float8)
          from generate_series(${from}::int, ${to}::int) as i`;
      }
      await sql`vacuum (analyze) audit_log`;
    },
    async settleTags() {
      await sql`vacuum (analyze) tags`;
    },
    async tagPosition(repo, name) {
      const [namespace, ...rest] = repo.split("/");
      const [row] = await sql<{ start: string }[]>`
        select to_char(t.lifetime_start at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as start
        from tags t join repositories r on r.id = t.repository_id join namespaces n on n.id = r.namespace_id
        where n.name = ${namespace!} and r.name = ${rest.join("/")} and t.name = ${name} and t.lifetime_end is null`;
      if (!row) throw new Error(`quayside: no tag ${name} in ${repo}`);
      return `${row.start}~${name}`;
    },
    async countRepositories() {
      const [row] = await sql<{ count: number }[]>`select count(*)::int as count from repositories`;
      return row!.count;
    },
    async postgresVersion() {
      const [row] = await sql<{ server_version: string }[]>`show server_version`;
      return row!.server_version;
    },
    close: () => sql.end({ timeout: 5 }),
  };
}
