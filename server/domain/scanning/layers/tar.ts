// Reads a tar archive entry by entry from a stream: ustar, GNU (long names and links in 'L'/'K'
// entries, base-256 sizes) and PAX ('x' headers overriding path, linkpath and size). An entry's
// content is read only when asked for; otherwise it is skipped without being held.
import { ByteReader } from "./byte-source.ts";

export type TarEntryType = "file" | "hardlink" | "symlink" | "directory" | "other";

export interface TarEntry {
  /** Normalized: no leading `/` or `./`, no trailing `/`, `.` and `..` resolved. */
  path: string;
  type: TarEntryType;
  size: number;
  /** Permission bits (and set-id bits), as written in the header. */
  mode: number;
  /** Hard link target (normalized like `path`) or symlink target (as written). */
  linkTarget: string;
  /** The entry's content; must be called before moving to the next entry. */
  read(): Promise<Uint8Array>;
  /** The entry's content piece by piece, for files too large to hold (instead of `read`, before the next entry). */
  pieces(): AsyncGenerator<Uint8Array>;
}

export class TarError extends Error {}

const BLOCK = 512;
/** Type flags of entries that are all header (as Go's archive/tar, which most image builders use). */
const HEADER_ONLY_FLAGS = new Set(["1", "2", "3", "4", "5", "6"]);
const decoder = new TextDecoder();

export function normalizeTarPath(raw: string): string {
  const parts: string[] = [];
  for (const part of raw.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") parts.pop();
    else parts.push(part);
  }
  return parts.join("/");
}

function text(block: Uint8Array, start: number, length: number): string {
  const field = block.subarray(start, start + length);
  const end = field.indexOf(0);
  return decoder.decode(end === -1 ? field : field.subarray(0, end));
}

function numeric(block: Uint8Array, start: number, length: number): number {
  const field = block.subarray(start, start + length);
  if (field[0]! & 0x80) {
    // GNU base-256: big-endian binary after the marker bit (sizes of 8 GiB and more).
    let value = field[0]! & 0x7f;
    for (let i = 1; i < field.length; i++) value = value * 256 + field[i]!;
    return value;
  }
  const digits = text(block, start, length).trim();
  return digits === "" ? 0 : parseInt(digits, 8);
}

/** The header's checksum, summed over unsigned bytes or (some old writers) signed ones. */
function checksumMatches(block: Uint8Array): boolean {
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const byte = i >= 148 && i < 156 ? 0x20 : block[i]!;
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  const written = numeric(block, 148, 8);
  return written === unsigned || written === signed;
}

function isZeroBlock(block: Uint8Array): boolean {
  for (let i = 0; i < BLOCK; i++) if (block[i] !== 0) return false;
  return true;
}

/** PAX extended header records: `<length> <key>=<value>\n`, length counting the whole record. */
export function parsePaxRecords(data: Uint8Array): Map<string, string> {
  const records = new Map<string, string>();
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    if (space === -1) break;
    const length = parseInt(decoder.decode(data.subarray(at, space)), 10);
    if (!Number.isFinite(length) || length <= 0) break;
    const record = decoder.decode(data.subarray(space + 1, at + length - 1));
    const equals = record.indexOf("=");
    if (equals !== -1) records.set(record.slice(0, equals), record.slice(equals + 1));
    at += length;
  }
  return records;
}

function entryType(flag: string, name: string): TarEntryType | "pax" | "gnu-long-name" | "gnu-long-link" | "skip" {
  switch (flag) {
    case "0":
    case "\0":
    case "":
    case "7":
      // Pre-POSIX archives mark directories only by the trailing slash.
      return name.endsWith("/") ? "directory" : "file";
    case "1":
      return "hardlink";
    case "2":
      return "symlink";
    case "5":
      return "directory";
    case "x":
      return "pax";
    case "g":
      return "skip";
    case "L":
      return "gnu-long-name";
    case "K":
      return "gnu-long-link";
    default:
      return "other";
  }
}

async function readExactly(reader: ByteReader, n: number): Promise<Uint8Array> {
  const bytes = await reader.read(n);
  if (!bytes) throw new TarError("tar archive ends in the middle of an entry");
  return bytes;
}

function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

export async function* tarEntries(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<TarEntry> {
  const reader = new ByteReader(chunks[Symbol.asyncIterator]());
  try {
    let pax = new Map<string, string>();
    let longName: string | undefined;
    let longLink: string | undefined;
    for (;;) {
      const header = await reader.read(BLOCK);
      // A missing end-of-archive marker is common enough to accept.
      if (!header || isZeroBlock(header)) return;
      if (!checksumMatches(header)) throw new TarError("not a tar archive (header checksum mismatch)");

      const ustar = text(header, 257, 6) === "ustar";
      const prefix = ustar ? text(header, 345, 155) : "";
      const headerName = prefix ? `${prefix}/${text(header, 0, 100)}` : text(header, 0, 100);
      const type = entryType(text(header, 156, 1), headerName);
      const paxSize = pax.get("size");
      const size = paxSize !== undefined ? Number(paxSize) : numeric(header, 124, 12);

      if (type === "pax" || type === "gnu-long-name" || type === "gnu-long-link") {
        const data = await readExactly(reader, size);
        await reader.skip(padding(size));
        if (type === "pax") pax = parsePaxRecords(data);
        else if (type === "gnu-long-name") longName = text(data, 0, data.length);
        else longLink = text(data, 0, data.length);
        continue;
      }

      const rawPath = pax.get("path") ?? longName ?? headerName;
      const rawLink = pax.get("linkpath") ?? longLink ?? text(header, 157, 100);
      pax = new Map();
      longName = longLink = undefined;

      // Links, directories, devices and fifos carry no content even when a size is written.
      const contentSize = HEADER_ONLY_FLAGS.has(text(header, 156, 1)) ? 0 : size;
      let consumed = false;
      let unread = contentSize;
      if (type !== "skip") {
        yield {
          path: normalizeTarPath(rawPath),
          type,
          size: contentSize,
          mode: numeric(header, 100, 8) & 0o7777,
          linkTarget: type === "hardlink" ? normalizeTarPath(rawLink) : rawLink,
          read: async () => {
            if (consumed) throw new TarError("tar entry content already read");
            consumed = true;
            unread = 0;
            return readExactly(reader, contentSize);
          },
          pieces: async function* () {
            if (consumed) throw new TarError("tar entry content already read");
            consumed = true;
            for await (const piece of reader.pieces(unread)) {
              unread -= piece.byteLength;
              yield piece;
            }
            if (unread > 0) throw new TarError("tar archive ends in the middle of an entry");
          },
        };
      }
      // What was not read (all of it, or the rest of pieces the reader stopped taking) is skipped.
      if (!(await reader.skip(unread))) throw new TarError("tar archive ends in the middle of an entry");
      if (!(await reader.skip(padding(contentSize)))) return;
    }
  } finally {
    await reader.close();
  }
}
