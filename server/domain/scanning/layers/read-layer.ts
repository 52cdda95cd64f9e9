// One layer read on its own, in a single pass over its stream: the files the detectors want
// (read whole, one at a time, within their size limits, or streamed past the detectors that read
// executables as they go, whatever their size) with the packages found in them, the
// release files' text, and the layer's whiteouts. What one layer holds does not depend on the
// others, so the result can be kept per layer digest and layers combined later (combine.ts).
import { RELEASE_FILE_MAX_BYTES, RELEASE_FILES } from "../os-release.ts";
import type { FoundPackage, PackageDetector } from "../package-types.ts";
import { type ByteSource, chunksOf } from "./byte-source.ts";
import { decompressed } from "./decompress.ts";
import { type TarEntry, tarEntries } from "./tar.ts";

export interface LayerInput {
  digest: string;
  bytes: ByteSource;
}

export interface LayerFile {
  path: string;
  packages: FoundPackage[];
  /** A release file's text (os-release and the older ones), for the distribution. */
  releaseText?: string;
  /** Why the file gave nothing: too large, a link or device, or a detector failing on it. */
  problem?: string;
}

/** What a layer adds and removes; plain data, so it can be stored per layer digest. */
export interface LayerContents {
  digest: string;
  /** Every file at a path a detector or the release files want (a later same-path entry wins). */
  files: LayerFile[];
  /** Paths this layer deletes from the layers below it, each with everything under it (`.wh.<name>`). */
  removed: string[];
  /** Directories whose contents from the layers below are hidden (`.wh..wh..opq`); "" is the root. */
  opaque: string[];
}

const WHITEOUT = ".wh.";
const OPAQUE = ".wh..wh..opq";
const RELEASE_PATHS = new Set<string>(RELEASE_FILES);
const utf8 = new TextDecoder();

function splitPath(path: string): [dir: string, name: string] {
  const slash = path.lastIndexOf("/");
  return slash === -1 ? ["", path] : [path.slice(0, slash), path.slice(slash + 1)];
}

function joinPath(dir: string, name: string): string {
  return dir ? `${dir}/${name}` : name;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

type Found = Pick<LayerFile, "packages" | "problem">;

function found(packages: FoundPackage[], problems: string[]): Found {
  return problems.length > 0 ? { packages, problem: problems.join("; ") } : { packages };
}

async function detectAll(detectors: PackageDetector[], path: string, content: Uint8Array): Promise<Found> {
  const packages: FoundPackage[] = [];
  const problems: string[] = [];
  for (const detector of detectors) {
    if (content.byteLength > detector.maxBytes) {
      problems.push(`${detector.name}: larger than ${detector.maxBytes} bytes`);
      continue;
    }
    try {
      packages.push(...(await detector.detect(path, content, (problem) => problems.push(`${detector.name}: ${problem}`))));
    } catch (error) {
      // A damaged database must not stop the rest of the image from being read.
      problems.push(`${detector.name}: ${describe(error)}`);
    }
  }
  return found(packages, problems);
}

/** A file too large to hold, handed piece by piece to the detectors that read files as they stream past. */
async function streamAll(entry: TarEntry, detectors: PackageDetector[], problems: string[]): Promise<Found> {
  const scans = detectors.map((detector) => ({ name: detector.name, scan: detector.stream!(entry.path), failed: false }));
  const fail = (scan: (typeof scans)[number], error: unknown) => {
    scan.failed = true;
    problems.push(`${scan.name}: ${describe(error)}`);
  };
  for await (const piece of entry.pieces()) {
    for (const scan of scans) {
      try {
        if (!scan.failed) scan.scan.write(piece);
      } catch (error) {
        fail(scan, error);
      }
    }
  }
  const packages: FoundPackage[] = [];
  for (const scan of scans.filter((scan) => !scan.failed)) {
    try {
      packages.push(...scan.scan.end());
    } catch (error) {
      fail(scan, error);
    }
  }
  return found(packages, problems);
}

async function readFile(entry: TarEntry, detectors: PackageDetector[]): Promise<LayerFile> {
  const isRelease = RELEASE_PATHS.has(entry.path);
  const streaming = detectors.filter((detector) => detector.stream);
  const whole = detectors.filter((detector) => !detector.stream);
  const limit = Math.max(isRelease ? RELEASE_FILE_MAX_BYTES : 0, ...whole.map((detector) => detector.maxBytes));
  if (entry.size > limit || (whole.length === 0 && !isRelease)) {
    // Read whole only when something needs it whole; streaming detectors have no size limit.
    const tooLarge = whole.map((detector) => `${detector.name}: larger than ${detector.maxBytes} bytes`);
    if (streaming.length > 0) return { path: entry.path, ...(await streamAll(entry, streaming, tooLarge)) };
    return { path: entry.path, packages: [], problem: `larger than ${limit} bytes, not read` };
  }
  const content = await entry.read();
  const file: LayerFile = { path: entry.path, ...(await detectAll(detectors, entry.path, content)) };
  if (isRelease && content.byteLength <= RELEASE_FILE_MAX_BYTES) file.releaseText = utf8.decode(content);
  return file;
}

export async function readLayer(layer: LayerInput, detectors: PackageDetector[]): Promise<LayerContents> {
  const files = new Map<string, LayerFile>();
  const removed: string[] = [];
  const opaque: string[] = [];
  for await (const entry of tarEntries(decompressed(chunksOf(layer.bytes)))) {
    const [dir, name] = splitPath(entry.path);
    if (name === OPAQUE) opaque.push(dir);
    else if (name.startsWith(`${WHITEOUT}${WHITEOUT}`)) continue; // other AUFS bookkeeping (.wh..wh.plnk, …)
    else if (name.startsWith(WHITEOUT)) removed.push(joinPath(dir, name.slice(WHITEOUT.length)));
    else if (entry.type === "file") {
      const wanting = detectors.filter((detector) => detector.wants(entry.path, entry.mode));
      if (wanting.length > 0 || RELEASE_PATHS.has(entry.path)) files.set(entry.path, await readFile(entry, wanting));
    } else if (RELEASE_PATHS.has(entry.path) || detectors.some((detector) => detector.wants(entry.path, hardLinkMode(entry)))) {
      files.set(entry.path, linkedFile(entry, files.get(entry.linkTarget)));
    }
  }
  return { digest: layer.digest, files: [...files.values()], removed, opaque };
}

/**
 * A hard link's mode is its file's, so detectors of executables are asked as for the file; the
 * mode of a symlink (always 0777) or a directory says nothing, so those are asked by path alone.
 */
function hardLinkMode(entry: TarEntry): number | undefined {
  return entry.type === "hardlink" ? entry.mode : undefined;
}

/**
 * A link, directory or other non-regular entry at a wanted path still hides the file below it. A
 * hard link to a file earlier in the same layer is that file; a symlink gives nothing here (a
 * symlinked os-release is read through the other release paths).
 */
function linkedFile(entry: TarEntry, target: LayerFile | undefined): LayerFile {
  if (entry.type === "hardlink" && target) {
    return { ...target, path: entry.path, packages: target.packages.map((pkg) => ({ ...pkg, path: entry.path })) };
  }
  if (entry.type === "symlink" || entry.type === "directory") return { path: entry.path, packages: [] };
  return { path: entry.path, packages: [], problem: entry.type === "hardlink" ? "a hard link to a file not read" : "not a regular file" };
}
