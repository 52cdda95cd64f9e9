import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packFiles, unpackBundledFiles, unpackFiles, useBundledFiles } from "./bundled-files.ts";
import { projectPath, useProjectRoot } from "./paths.ts";

let dir: string;
const originalRoot = projectPath();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "quayside-bundled-"));
  const tree = join(dir, "tree");
  await mkdir(join(tree, "bin"), { recursive: true });
  await mkdir(join(tree, "lib"), { recursive: true });
  await writeFile(join(tree, "bin", "tool"), "#!/bin/sh\necho hi\n", { mode: 0o755 });
  await writeFile(join(tree, "lib", "libx.so.1"), Buffer.alloc(70_000, 7), { mode: 0o644 });
  await symlink("libx.so.1", join(tree, "lib", "libx.so"));
});

afterAll(async () => {
  useProjectRoot(originalRoot);
  await rm(dir, { recursive: true, force: true });
});

describe("the compiled binary's file archive", () => {
  it("round-trips files, their modes and symbolic links", async () => {
    const archive = await packFiles(join(dir, "tree"), ["bin/tool", "lib/libx.so.1", "lib/libx.so"]);
    const out = join(dir, "out");
    await unpackFiles(archive, out);
    expect(await readFile(join(out, "bin", "tool"), "utf8")).toBe("#!/bin/sh\necho hi\n");
    expect((await stat(join(out, "bin", "tool"))).mode & 0o777).toBe(0o755);
    expect(await readFile(join(out, "lib", "libx.so.1"))).toEqual(Buffer.alloc(70_000, 7));
    expect((await lstat(join(out, "lib", "libx.so"))).isSymbolicLink()).toBe(true);
    expect(await readlink(join(out, "lib", "libx.so"))).toBe("libx.so.1");
  });

  it("is unpacked once per build into the data dir, which then holds the project files", async () => {
    const archivePath = join(dir, "files.gz");
    await writeFile(archivePath, await packFiles(join(dir, "tree"), ["bin/tool"]));
    const dataDir = join(dir, "data");

    useBundledFiles(archivePath, "1.0.0-aaaa");
    await unpackBundledFiles(dataDir);
    expect(projectPath("bin", "tool")).toBe(join(dataDir, "runtime", "1.0.0-aaaa", "bin", "tool"));
    // A second start of the same build keeps what is there (a file the archive lacks survives).
    await writeFile(join(dataDir, "runtime", "1.0.0-aaaa", "kept"), "");
    await unpackBundledFiles(dataDir);
    expect(await readdir(join(dataDir, "runtime", "1.0.0-aaaa"))).toContain("kept");

    // Another build unpacks its own and removes the older one.
    useBundledFiles(archivePath, "1.0.1-bbbb");
    await unpackBundledFiles(dataDir);
    expect(await readdir(join(dataDir, "runtime"))).toEqual(["1.0.1-bbbb"]);
    expect(projectPath()).toBe(join(dataDir, "runtime", "1.0.1-bbbb"));
  });
});
