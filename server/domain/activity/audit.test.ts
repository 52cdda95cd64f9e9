// Usage-log rows: the table is partitioned by month, and each row names its performer's kind.
import { desc, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog, users } from "../../../db/schema.ts";
import { type TestEnv, testEnv } from "../../../e2e/support/test-app.ts";
import { type AuditEntry, writeAudit } from "./audit.ts";

let env: TestEnv;
beforeAll(async () => {
  env = await testEnv();
});
afterAll(() => env.close());

const lastRow = async () => (await env.deps.db.select().from(auditLog).orderBy(desc(auditLog.id)).limit(1))[0]!;

describe("audit_log storage", () => {
  it("is partitioned by month, with this month's partition and a default one", async () => {
    const rows = await env.deps.db.execute<{ name: string }>(
      sql`select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid where i.inhparent = 'audit_log'::regclass`,
    );
    const names = rows.map((r) => r.name);
    const month = new Date().toISOString().slice(0, 7).replace("-", "_");
    expect(names).toContain(`audit_log_${month}`);
    expect(names).toContain("audit_log_default");
  });
});

describe("performer kind", () => {
  it.each<[string, (ids: { person: number; robot: number }) => AuditEntry, string | null]>([
    ["a person", (ids) => ({ kind: "create_repo", performerId: ids.person, ip: "10.0.0.1" }), "user"],
    ["a robot", (ids) => ({ kind: "push_repo", performerId: ids.robot, ip: "10.0.0.1" }), "robot"],
    ["a person through an OAuth application", (ids) => ({ kind: "create_repo", performerId: ids.person, performerKind: "oauth_app" }), "oauth_app"],
    ["nobody signed in", () => ({ kind: "pull_repo", ip: "10.0.0.2" }), "anonymous"],
    ["a job", () => ({ kind: "delete_tag" }), null],
  ])("%s", async (_, entry, expected) => {
    const person = await env.user(`p${Math.random().toString(36).slice(2, 8)}`);
    const [robot] = await env.deps.db
      .insert(users)
      .values({ username: `${person.username}+r`, kind: "robot", email: `${person.username}+r@robots` })
      .returning({ id: users.id });
    await writeAudit(env.deps.db, entry({ person: person.id, robot: robot!.id }));
    expect((await lastRow()).performerKind).toBe(expected);
  });
});
