// Go programs carry their build info: the toolchain version and the module list (`go version -m`)
// sit behind a `\xff Go buildinf:` header in the ELF's .go.buildinfo section (or, in binaries
// without section headers, at the start of the first writable segment), 16-byte aligned. Go ≥1.18
// writes the two strings inline after the header, each prefixed by its varint length; older
// toolchains write pointers to Go string headers, which are followed through the program headers.
import type { FoundPackage, PackageDetector } from "../package-types.ts";

const MAGIC = Uint8Array.from([0xff, ...new TextEncoder().encode(" Go buildinf:")]);
const HEADER_SIZE = 32;
const ALIGN = 16;
/** How far from the data start Go's own reader looks for the header. */
const SEARCH_BYTES = 64 * 1024;
const MAX_STRING = 4 * 1024 * 1024;
const FLAG_BIG_ENDIAN = 1;
const FLAG_INLINE_STRINGS = 2;
const PT_LOAD = 1;
const PF_X = 1;
const PF_W = 2;
/** Files in a bin or sbin directory when the reader gives no permission bits. */
const BIN_DIRECTORY = /(?:^|\/)s?bin\/[^/]+$/;

interface Segment {
  vaddr: number;
  offset: number;
  filesz: number;
  /** Writable and not executable: where the linker puts data. */
  data: boolean;
}

/** An ELF file's loaded segments and the .go.buildinfo section's address, read from its headers. */
class Elf {
  readonly segments: Segment[] = [];
  readonly buildInfoAddress: number | undefined;
  private readonly dv: DataView;
  private readonly wide: boolean;
  private readonly little: boolean;

  constructor(readonly bytes: Uint8Array) {
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.wide = bytes[4] === 2;
    this.little = bytes[5] === 1;
    const at = this.pick;
    const phoff = this.word(at(0x20, 0x1c));
    const phentsize = this.half(at(0x36, 0x2a));
    const phnum = this.half(at(0x38, 0x2c));
    for (let i = 0; i < phnum; i++) {
      const ph = phoff + i * phentsize;
      if (this.dv.getUint32(ph, this.little) !== PT_LOAD) continue;
      const flags = this.dv.getUint32(ph + at(4, 0x18), this.little);
      this.segments.push({
        offset: this.word(ph + at(8, 4)),
        vaddr: this.word(ph + at(0x10, 8)),
        filesz: this.word(ph + at(0x20, 0x10)),
        data: (flags & (PF_W | PF_X)) === PF_W,
      });
    }
    this.buildInfoAddress = this.sectionAddress(".go.buildinfo");
  }

  /** The data Go's reader starts from: the .go.buildinfo section, else the first data segment. */
  dataStart(): number | undefined {
    return this.buildInfoAddress ?? this.segments.find((segment) => segment.data)?.vaddr;
  }

  /** Up to `length` bytes of the file image at a virtual address (fewer at a segment's end). */
  read(address: number, length: number): Uint8Array | undefined {
    const segment = this.segments.find((s) => s.vaddr <= address && address < s.vaddr + s.filesz);
    if (!segment) return undefined;
    const start = segment.offset + (address - segment.vaddr);
    const end = Math.min(start + length, segment.offset + segment.filesz, this.bytes.byteLength);
    return start < end ? this.bytes.subarray(start, end) : undefined;
  }

  /** A header field's offset in the 64-bit or the 32-bit layout. */
  private readonly pick = (wide: number, narrow: number) => (this.wide ? wide : narrow);

  private half(at: number): number {
    return this.dv.getUint16(at, this.little);
  }

  private word(at: number): number {
    return this.wide ? Number(this.dv.getBigUint64(at, this.little)) : this.dv.getUint32(at, this.little);
  }

  private sectionAddress(wanted: string): number | undefined {
    const at = this.pick;
    const shoff = this.word(at(0x28, 0x20));
    const shentsize = this.half(at(0x3a, 0x2e));
    const shnum = this.half(at(0x3c, 0x30));
    const shstrndx = this.half(at(0x3e, 0x32));
    if (shoff === 0 || shnum === 0 || shstrndx >= shnum) return undefined;
    const names = this.word(shoff + shstrndx * shentsize + at(0x18, 0x10));
    const name = new TextEncoder().encode(`${wanted}\0`);
    for (let i = 0; i < shnum; i++) {
      const sh = shoff + i * shentsize;
      const nameAt = names + this.dv.getUint32(sh, this.little);
      if (name.every((byte, k) => this.bytes[nameAt + k] === byte)) return this.word(sh + at(0x10, 0xc));
    }
    return undefined;
  }
}

function findHeader(data: Uint8Array): Uint8Array | undefined {
  for (let at = 0; at + HEADER_SIZE <= data.byteLength; at += ALIGN) {
    if (MAGIC.every((byte, k) => data[at + k] === byte)) return data.subarray(at);
  }
  return undefined;
}

function uvarint(data: Uint8Array, at: number): [value: number, next: number] | undefined {
  let value = 0;
  for (let shift = 0, i = at; i < data.byteLength && shift < 49; shift += 7, i++) {
    value += (data[i]! & 0x7f) * 2 ** shift;
    if (data[i]! < 0x80) return [value, i + 1];
  }
  return undefined;
}

/** Go ≥1.18: the version and module strings follow the header, each prefixed by its length. */
function inlineStrings(header: Uint8Array): [string, Uint8Array] | undefined {
  const version = uvarint(header, HEADER_SIZE);
  if (!version || version[1] + version[0] > header.byteLength) return undefined;
  const modStart = version[1] + version[0];
  const mod = uvarint(header, modStart);
  if (!mod || mod[1] + mod[0] > header.byteLength) return undefined;
  const text = new TextDecoder().decode(header.subarray(version[1], modStart));
  return [text, header.subarray(mod[1], mod[1] + mod[0])];
}

/** Older Go: two pointers to Go string headers ({data pointer, length}) elsewhere in the image. */
function pointedStrings(elf: Elf, header: Uint8Array, pointerSize: number, bigEndian: boolean): [string, Uint8Array] | undefined {
  if (pointerSize !== 4 && pointerSize !== 8) return undefined;
  const pointer = (bytes: Uint8Array | undefined, at: number): number | undefined => {
    if (!bytes || bytes.byteLength < at + pointerSize) return undefined;
    const dv = new DataView(bytes.buffer, bytes.byteOffset + at, pointerSize);
    return pointerSize === 8 ? Number(dv.getBigUint64(0, !bigEndian)) : dv.getUint32(0, !bigEndian);
  };
  const goString = (address: number | undefined): Uint8Array | undefined => {
    if (address === undefined) return undefined;
    const stringHeader = elf.read(address, 2 * pointerSize);
    const data = pointer(stringHeader, 0);
    const length = pointer(stringHeader, pointerSize);
    if (data === undefined || length === undefined || length > MAX_STRING) return undefined;
    if (length === 0) return new Uint8Array();
    const bytes = elf.read(data, length);
    return bytes?.byteLength === length ? bytes : undefined;
  };
  const version = goString(pointer(header, 16));
  const mod = goString(pointer(header, 16 + pointerSize));
  return version && mod ? [new TextDecoder().decode(version), mod] : undefined;
}

/** The module list is framed by 16 sentinel bytes on each side, the last line's newline just before the trailing ones. */
function unframe(mod: Uint8Array): string {
  if (mod.byteLength < 33 || mod[mod.byteLength - 17] !== 0x0a) return "";
  return new TextDecoder().decode(mod.subarray(16, mod.byteLength - 16));
}

/** go1.21.5 → v1.21.5, go1.20 → v1.20.0, go1.21rc2 → v1.21.0-rc.2 (semver, as the module versions); development builds have none. */
export function goToolchainVersion(version: string): string | undefined {
  const match = /^go(\d+)\.(\d+)(?:\.(\d+))?(?:(rc|beta)(\d+))?(?:\s|$)/.exec(version);
  if (!match) return undefined;
  const [, major, minor, patch, pre, preNumber] = match;
  return `v${major}.${minor}.${patch ?? "0"}${pre ? `-${pre}.${preNumber}` : ""}`;
}

/**
 * The packages of `go version -m`: `stdlib` at the toolchain's version, the main module (often
 * `(devel)` when built from a checkout) and each dependency, a `=>` replacement standing in for
 * the module before it (a replacement by a local directory has no version: the module stays, `(devel)`).
 */
export function modulePackages(path: string, toolchain: string, modinfo: string): FoundPackage[] {
  const found: FoundPackage[] = [];
  const stdlib = goToolchainVersion(toolchain);
  if (stdlib) found.push({ name: "stdlib", version: stdlib, ecosystem: "go", path });
  let afterModule = false;
  for (const line of modinfo.split("\n")) {
    const [kind, name, version] = line.split("\t");
    const module: FoundPackage | undefined = name ? { name, version: version || "(devel)", ecosystem: "go", path } : undefined;
    if (module && (kind === "mod" || kind === "dep")) found.push(module);
    else if (module && kind === "=>" && afterModule) {
      // A local directory keeps the module's own name: its path says nothing an advisory could match.
      found[found.length - 1] = version ? module : { ...found[found.length - 1]!, version: "(devel)" };
    }
    afterModule = kind === "mod" || kind === "dep";
  }
  return found;
}

function buildInfo(content: Uint8Array): [string, string] | undefined {
  const elf = new Elf(content);
  const start = elf.dataStart();
  const data = start === undefined ? undefined : elf.read(start, SEARCH_BYTES);
  const header = data && findHeader(data);
  if (!header) return undefined;
  const pointerSize = header[14]!;
  const flags = header[15]!;
  const strings =
    flags & FLAG_INLINE_STRINGS
      ? inlineStrings(header)
      : pointedStrings(elf, header, pointerSize, (flags & FLAG_BIG_ENDIAN) !== 0);
  return strings && [strings[0], unframe(strings[1])];
}

const isElf = (content: Uint8Array) =>
  content.byteLength >= 64 && content[0] === 0x7f && content[1] === 0x45 && content[2] === 0x4c && content[3] === 0x46;

export const goBinaryDetector: PackageDetector = {
  name: "go-binary",
  maxBytes: 128 * 1024 * 1024,
  wants: (path, mode) => (mode === undefined ? BIN_DIRECTORY.test(path) : (mode & 0o111) !== 0),
  detect(path, content) {
    if (!isElf(content)) return [];
    try {
      const info = buildInfo(content);
      return info ? modulePackages(path, info[0], info[1]) : [];
    } catch (error) {
      // Headers pointing past the end of a truncated or damaged file.
      if (error instanceof RangeError) return [];
      throw error;
    }
  },
};
