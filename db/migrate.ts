// Applies the checked-in SQL migrations at start. An advisory lock makes it safe when several
// nodes of a cluster start at once against the same database; a one-connection pool keeps the
// lock and the migration on the same session.
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { projectPath } from "../server/paths.ts";

const MIGRATION_LOCK = 7_326_411;

export async function runMigrations(url: string): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK})`;
    await migrate(drizzle(sql), { migrationsFolder: projectPath("db", "migrations") });
    await sql`select pg_advisory_unlock(${MIGRATION_LOCK})`;
  } finally {
    await sql.end({ timeout: 5 });
  }
}
