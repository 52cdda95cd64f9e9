// The hand-written tar.gz is one that GNU tar reads: the file, its directory, its content.
import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { tarGz } from "./tar-gz.ts";

it("writes an archive tar extracts", async () => {
  const dir = await mkdtemp(join(tmpdir(), "quayside-tar-"));
  try {
    const archive = join(dir, "a.tar.gz");
    await writeFile(archive, tarGz({ ".docker/config.json": '{"auths":{}}\n' }, new Date("2026-01-01T00:00:00Z")));
    expect(execFileSync("tar", ["-tzf", archive], { encoding: "utf8" }).split("\n").filter(Boolean)).toEqual([
      ".docker/",
      ".docker/config.json",
    ]);
    execFileSync("tar", ["-xzf", archive, "-C", dir]);
    expect(await readFile(join(dir, ".docker/config.json"), "utf8")).toBe('{"auths":{}}\n');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
