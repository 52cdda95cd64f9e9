// A gzipped tar of a few small text files (the Mesos credentials download): ustar headers and
// 512-byte blocks, written by hand because nothing else here needs an archive library.
import { gzipSync } from "node:zlib";

const BLOCK = 512;

/** `text` as a NUL-padded field of `length` bytes (octal numbers end in a NUL). */
function field(header: Buffer, offset: number, length: number, text: string): void {
  header.write(text.slice(0, length), offset, length, "utf8");
}

const octal = (value: number, length: number) => value.toString(8).padStart(length - 1, "0");

function entry(name: string, body: Buffer, mtime: Date, type: "0" | "5"): Buffer[] {
  const header = Buffer.alloc(BLOCK);
  field(header, 0, 100, name);
  field(header, 100, 8, octal(type === "5" ? 0o755 : 0o600, 8));
  field(header, 108, 8, octal(0, 8));
  field(header, 116, 8, octal(0, 8));
  field(header, 124, 12, octal(body.length, 12));
  field(header, 136, 12, octal(Math.floor(mtime.getTime() / 1000), 12));
  header.fill(" ", 148, 156); // the checksum counts its own field as spaces
  field(header, 156, 1, type);
  field(header, 257, 6, "ustar");
  field(header, 263, 2, "00");
  let sum = 0;
  for (const byte of header) sum += byte;
  field(header, 148, 8, `${octal(sum, 7)}\0`);
  const padding = Buffer.alloc((BLOCK - (body.length % BLOCK)) % BLOCK);
  return [header, body, padding];
}

/** A .tar.gz holding each file (and its parent directories) with owner-only permissions. */
export function tarGz(files: Record<string, string>, mtime: Date): Buffer {
  const parts: Buffer[] = [];
  const dirs = new Set<string>();
  for (const [path, text] of Object.entries(files)) {
    const segments = path.split("/");
    for (let i = 1; i < segments.length; i++) {
      const dir = `${segments.slice(0, i).join("/")}/`;
      if (!dirs.has(dir)) parts.push(...entry(dir, Buffer.alloc(0), mtime, "5"));
      dirs.add(dir);
    }
    parts.push(...entry(path, Buffer.from(text, "utf8"), mtime, "0"));
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return gzipSync(Buffer.concat(parts));
}
