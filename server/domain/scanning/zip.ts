// Reads zip archives (JARs, WARs, EARs, zips of advisories) already in memory: the central
// directory names the entries, and each entry is inflated on demand so a large archive costs
// only the entries asked for. Stored and deflated entries; ZIP64 sizes and offsets.
import { inflateRawSync } from "node:zlib";

export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflated; other methods cannot be read. */
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

const EOCD_SIGNATURE = 0x06054b50;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const ZIP64_EXTRA_ID = 0x0001;
/** The end record is 22 bytes plus a comment of at most 65535. */
const EOCD_SEARCH = 22 + 0xffff;

export class ZipError extends Error {}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function u64(dv: DataView, at: number): number {
  return Number(dv.getBigUint64(at, true));
}

function findEndOfCentralDirectory(dv: DataView): number {
  for (let at = dv.byteLength - 22; at >= Math.max(0, dv.byteLength - EOCD_SEARCH); at--) {
    if (dv.getUint32(at, true) === EOCD_SIGNATURE) return at;
  }
  throw new ZipError("not a zip archive (no end of central directory record)");
}

/** Where the central directory starts and how many entries it holds, ZIP64 when the plain record overflows. */
function centralDirectory(dv: DataView): { offset: number; count: number } {
  const eocd = findEndOfCentralDirectory(dv);
  let count = dv.getUint16(eocd + 10, true);
  let offset = dv.getUint32(eocd + 16, true);
  const locator = eocd - 20;
  if ((count === 0xffff || offset === 0xffffffff) && locator >= 0 && dv.getUint32(locator, true) === ZIP64_LOCATOR_SIGNATURE) {
    const record = u64(dv, locator + 8);
    if (record + 56 > dv.byteLength || dv.getUint32(record, true) !== ZIP64_EOCD_SIGNATURE) {
      throw new ZipError("broken ZIP64 end of central directory record");
    }
    count = u64(dv, record + 32);
    offset = u64(dv, record + 48);
  }
  return { offset, count };
}

/** Replaces the 32-bit fields that overflowed (0xffffffff) with the ZIP64 extra field's values, in the spec's order. */
function applyZip64Extra(dv: DataView, extraStart: number, extraEnd: number, entry: ZipEntry): void {
  for (let at = extraStart; at + 4 <= extraEnd; ) {
    const id = dv.getUint16(at, true);
    const length = dv.getUint16(at + 2, true);
    if (id === ZIP64_EXTRA_ID) {
      let field = at + 4;
      const next = (): number => {
        const value = u64(dv, field);
        field += 8;
        return value;
      };
      if (entry.size === 0xffffffff) entry.size = next();
      if (entry.compressedSize === 0xffffffff) entry.compressedSize = next();
      if (entry.localHeaderOffset === 0xffffffff) entry.localHeaderOffset = next();
      return;
    }
    at += 4 + length;
  }
}

/** The archive's entries as its central directory lists them (directories included). */
export function zipEntries(zip: Uint8Array): ZipEntry[] {
  try {
    return readCentralDirectory(zip);
  } catch (error) {
    // A field pointing past the end of a damaged archive.
    if (error instanceof RangeError) throw new ZipError(`broken zip archive: ${error.message}`);
    throw error;
  }
}

function readCentralDirectory(zip: Uint8Array): ZipEntry[] {
  const dv = view(zip);
  if (dv.byteLength < 22) throw new ZipError("not a zip archive (too short)");
  const { offset, count } = centralDirectory(dv);
  const decoder = new TextDecoder();
  const entries: ZipEntry[] = [];
  let at = offset;
  for (let i = 0; i < count; i++) {
    if (at + 46 > dv.byteLength || dv.getUint32(at, true) !== CENTRAL_SIGNATURE) {
      throw new ZipError("broken central directory");
    }
    const nameLength = dv.getUint16(at + 28, true);
    const extraLength = dv.getUint16(at + 30, true);
    const commentLength = dv.getUint16(at + 32, true);
    const entry: ZipEntry = {
      name: decoder.decode(zip.subarray(at + 46, at + 46 + nameLength)),
      method: dv.getUint16(at + 10, true),
      compressedSize: dv.getUint32(at + 20, true),
      size: dv.getUint32(at + 24, true),
      localHeaderOffset: dv.getUint32(at + 42, true),
    };
    applyZip64Extra(dv, at + 46 + nameLength, at + 46 + nameLength + extraLength, entry);
    entries.push(entry);
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/**
 * One entry's bytes (a view into `zip` when stored), or undefined when it is larger than
 * `maxBytes` uncompressed or uses a method other than stored or deflate. A damaged entry, or one
 * inflating past `maxBytes` whatever its declared size, throws ZipError.
 */
export function readZipEntry(zip: Uint8Array, entry: ZipEntry, maxBytes: number): Uint8Array | undefined {
  if (entry.size > maxBytes || (entry.method !== 0 && entry.method !== 8)) return undefined;
  const dv = view(zip);
  const local = entry.localHeaderOffset;
  if (local + 30 > dv.byteLength || dv.getUint32(local, true) !== LOCAL_SIGNATURE) {
    throw new ZipError(`broken local header for ${entry.name}`);
  }
  const start = local + 30 + dv.getUint16(local + 26, true) + dv.getUint16(local + 28, true);
  const end = start + entry.compressedSize;
  if (end > dv.byteLength) throw new ZipError(`${entry.name} runs past the end of the archive`);
  const data = zip.subarray(start, end);
  if (entry.method === 0) return data;
  try {
    // The declared size was checked above; maxOutputLength also stops an entry that lies about it.
    const inflated = inflateRawSync(data, { maxOutputLength: Math.max(1, maxBytes) });
    return new Uint8Array(inflated.buffer, inflated.byteOffset, inflated.byteLength);
  } catch (error) {
    throw new ZipError(`cannot inflate ${entry.name}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
