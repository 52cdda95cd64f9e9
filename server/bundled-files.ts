// The compiled binary (`npm run compile`) carries the project files Quayside reads at run time
// (static/, PatternFly and htmx, db/migrations, the embedded Postgres binaries) as one gzipped
// archive. On start it is unpacked once into `<dataDir>/runtime/<stamp>`, laid out like the
// project, and project paths point there (server/paths.ts); later starts of the same build
// reuse it, a new build unpacks its own and removes the older one.
//
// Archive: gzip of [4-byte big-endian header length][JSON header][file bytes, in header order].
import { Buffer } from "node:buffer";
import { existsSync } from "node:fs";
import { chmod, lstat, mkdir, readdir, readFile, readlink, rename, rm, symlink, writeFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { useProjectRoot } from "./paths.ts";

type Entry = { path: string; mode: number; size: number } | { path: string; link: string };

/** Packs `paths` (files or symbolic links, relative to `root`) into one gzipped archive. */
export async function packFiles(root: string, paths: readonly string[]): Promise<Uint8Array> {
  const entries: Entry[] = [];
  const bodies: Uint8Array[] = [];
  for (const path of paths) {
    const full = join(root, path);
    const info = await lstat(full);
    if (info.isSymbolicLink()) entries.push({ path, link: await readlink(full) });
    else {
      const body = await readFile(full);
      entries.push({ path, mode: info.mode & 0o777, size: body.byteLength });
      bodies.push(body);
    }
  }
  const header = Buffer.from(JSON.stringify(entries));
  const length = Buffer.alloc(4);
  length.writeUInt32BE(header.byteLength);
  return gzipSync(Buffer.concat([length, header, ...bodies]));
}

/** Writes an archive's files under `dir` (which must not exist yet). */
export async function unpackFiles(archive: Uint8Array, dir: string): Promise<void> {
  const data = gunzipSync(archive);
  const headerLength = data.readUInt32BE(0);
  const entries = JSON.parse(data.subarray(4, 4 + headerLength).toString("utf8")) as Entry[];
  let offset = 4 + headerLength;
  for (const entry of entries) {
    const target = join(dir, entry.path);
    if (relative(dir, target).startsWith("..")) throw new Error(`archive entry ${entry.path} leaves its directory`);
    await mkdir(dirname(target), { recursive: true, mode: 0o755 });
    if ("link" in entry) await symlink(entry.link, target);
    else {
      await writeFile(target, data.subarray(offset, offset + entry.size));
      await chmod(target, entry.mode);
      offset += entry.size;
    }
  }
}

/** Marks a completely unpacked tree: a tree without it was cut short and is unpacked again. */
const COMPLETE = ".complete";

let bundle: { archive: string; stamp: string } | undefined;

/** Called by the compiled binary's entry: the archive inside it and the build's stamp. */
export function useBundledFiles(archive: string, stamp: string): void {
  bundle = { archive, stamp };
}

/** In the compiled binary, unpacks its files into the data directory (once per build) and uses them. */
export async function unpackBundledFiles(dataDir: string): Promise<void> {
  if (!bundle) return;
  const runtimeDir = join(dataDir, "runtime");
  const target = join(runtimeDir, bundle.stamp);
  if (!existsSync(join(target, COMPLETE))) {
    const partial = `${target}.partial-${process.pid}`;
    await rm(partial, { recursive: true, force: true });
    await unpackFiles(await readFile(bundle.archive), partial);
    await writeFile(join(partial, COMPLETE), "");
    await rename(partial, target).catch(async (err) => {
      await rm(partial, { recursive: true, force: true });
      if (!existsSync(join(target, COMPLETE))) throw err; // else another process unpacked it first
    });
    for (const name of await readdir(runtimeDir)) {
      if (name !== bundle.stamp && !name.includes(".partial-")) await rm(join(runtimeDir, name), { recursive: true, force: true });
    }
  }
  useProjectRoot(target);
}
