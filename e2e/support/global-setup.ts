// Starts one throwaway embedded Postgres cluster for the whole test run; each test file makes
// its own database in it (see test-app.ts).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres } from "../../db/embedded.ts";

declare module "vitest" {
  export interface ProvidedContext {
    postgresAdminUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const dir = await mkdtemp(join(tmpdir(), "quayside-test-pg-"));
  const cluster = await startEmbeddedPostgres(dir, { persistent: false });
  project.provide("postgresAdminUrl", cluster.url("postgres"));
  return async () => {
    await cluster.stop();
    await rm(dir, { recursive: true, force: true });
  };
}
