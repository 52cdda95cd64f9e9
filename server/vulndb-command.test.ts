// `quayside vulndb import`: through the real entry point it imports a fixture into the configured
// database, prints the counts and exits 0; bad usage exits 2 with the usage, a location that cannot
// be read or told exits 1 with one line and records the error for a known location.
import { spawnSync } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { connect, type Database } from "../db/client.ts";
import { advisories, vulnerabilitySources } from "../db/schema.ts";
import { freshDatabaseUrl } from "../e2e/support/test-app.ts";
import { projectPath } from "./paths.ts";
import { vulndbCommand } from "./vulndb-command.ts";

const fixture = (name: string) => projectPath(`server/domain/scanning/fixtures/advisories/${name}`);

let databaseUrl: string;
let database: Database;
let env: Record<string, string>;
let dir: string;

beforeAll(async () => {
  databaseUrl = await freshDatabaseUrl();
  dir = await mkdtemp(join(tmpdir(), "vulndb-cli-"));
  env = { DATABASE_URL: databaseUrl, QUAYSIDE_DATA_DIR: dir };
  database = connect(databaseUrl, { max: 2 });
});

afterAll(() => database?.close());

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await vulndbCommand(argv, env, { out: (line) => out.push(line), err: (line) => err.push(line) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

it("imports through the real entry point, prints the counts and exits 0", () => {
  const result = spawnSync("npx", ["tsx", "server/main.ts", "vulndb", "import", fixture("alpine-secdb-v3.18-main.json"), "--database-url", databaseUrl], {
    cwd: projectPath("."),
    env: { ...process.env, QUAYSIDE_DATA_DIR: dir, NO_COLOR: "1" },
    encoding: "utf8",
    timeout: 120_000,
  });
  expect(result.stderr).toBe("");
  expect(result.status).toBe(0);
  expect(result.stdout).toMatch(/\(alpine-secdb\): 4 advisories — 4 added, 0 changed, 0 removed, 0 entries skipped/);
  expect(result.stdout).toMatch(/matched 0 stored packages again: 0 new matches, 0 notifications queued/);
});

it("takes --format and says when nothing changed", async () => {
  const first = await run("import", "--format", "debian-tracker", fixture("debian-tracker.json"));
  expect(first.code).toBe(0);
  const again = await run("import", fixture("debian-tracker.json"), "--format=debian-tracker");
  expect(again.out).toMatch(/ 0 added, 0 changed, 0 removed/);
  const rows = await database.db.select().from(advisories).where(eq(advisories.source, "debian-tracker"));
  expect(rows.length).toBeGreaterThan(0);
});

it("refuses bad usage with exit 2 and the usage", async () => {
  for (const argv of [[], ["export", "x"], ["import"], ["import", "a", "b"], ["import", "a", "--format", "yaml"]]) {
    const result = await run(...argv);
    expect(result.code, argv.join(" ")).toBe(2);
    expect(result.err).toContain("Usage: quayside vulndb import");
  }
  expect((await run("import", "a", "--no-such-setting", "1")).err).toMatch(/unknown flag --no-such-setting/);
  expect(await run("--help")).toMatchObject({ code: 0, out: expect.stringContaining("Usage: quayside vulndb import") });
});

it("a location it cannot read or tell exits 1 with one line, recorded on a known source", async () => {
  const missing = await run("import", join(dir, "missing.json"));
  expect(missing.code).toBe(1);
  expect(missing.err).toMatch(/^quayside vulndb: ENOENT/);

  const location = join(dir, "tracker.json");
  await writeFile(location, JSON.stringify({ quaytool: { "CVE-2024-1": { releases: { bookworm: { status: "open" } } } } }));
  expect((await run("import", location)).code).toBe(0);
  await writeFile(location, "not json at all");
  const broken = await run("import", location);
  expect(broken).toMatchObject({ code: 1, err: expect.stringMatching(/cannot tell the format/) });
  const [source] = await database.db.select().from(vulnerabilitySources).where(eq(vulnerabilitySources.location, location));
  expect(source!.lastError).toMatch(/cannot tell the format/);
  expect(source!.advisoryCount).toBe(1);
});
