// Go programs carry their build info: the toolchain version and the module list (`go version -m`)
// sit behind a `\xff Go buildinf:` header in the ELF's .go.buildinfo section (or, in binaries
// without section headers, at the start of the first writable segment), 16-byte aligned. Go ≥1.18
// writes the two strings inline after the header, each prefixed by its varint length; older
// toolchains write pointers to Go string headers, which are followed through the program headers.
//
// Executables can be hundreds of MB, so the file is read as it streams past (stream-capture.ts)
// keeping only the ELF and section headers, each header found in a writable segment with the
// strings after it, and, for the older format whose pointers lead back to read-only data already
// passed, the `go1.` strings and framed module lists seen on the way: a few hundred KiB at most.
import type { FoundPackage, PackageDetector, StreamScan } from "../package-types.ts";
import { type Capturing, StreamCapture } from "./stream-capture.ts";

const encode = (text: string) => new TextEncoder().encode(text);
const MAGIC = Uint8Array.from([0xff, ...encode(" Go buildinf:")]);
const HEADER_SIZE = 32;
const ALIGN = 16;
/** How far from the data start Go's own reader looks for the header. */
const SEARCH_BYTES = 64 * 1024;
/** The latest bytes kept in passing, for ranges found to be wanted just after they went by. */
const WINDOW_BYTES = 64 * 1024;
/** Build info strings longer than this are not kept (real module lists are tens of KiB). */
const MAX_STRING = 1024 * 1024;
/** Headers followed at once: the real one and decoys (Go's own tools hold the magic as a literal). */
const MAX_CANDIDATES = 8;
/** The older format's version string is found among the `go1.` strings kept, each this long. */
const VERSION_SIGHTING_BYTES = 64;
const MAX_VERSION_SIGHTINGS = 256;
const MAX_FRAMES = 4;
const GO1 = encode("go1.");
const SECTION_NAME = encode(".go.buildinfo\0");
/** Go's sentinels around the module list. */
const FRAME_START = Uint8Array.from([0x30, 0x77, 0xaf, 0x0c, 0x92, 0x74, 0x08, 0x02, 0x41, 0xe1, 0xc1, 0x07, 0xe6, 0xd6, 0x18, 0xe6]);
const FRAME_END = Uint8Array.from([0xf9, 0x32, 0x43, 0x31, 0x86, 0x18, 0x20, 0x72, 0x00, 0x82, 0x42, 0x10, 0x41, 0x16, 0xd8, 0xf2]);
const FLAG_BIG_ENDIAN = 1;
const FLAG_INLINE_STRINGS = 2;
const PT_LOAD = 1;
const PF_X = 1;
const PF_W = 2;
const ELF_HEADER_SIZE = 64;
/** Program and section header tables or section names larger than this are not an ELF we read. */
const MAX_TABLE = 64 * 1024;
/** Files in a bin or sbin directory when the reader gives no permission bits. */
const BIN_DIRECTORY = /(?:^|\/)s?bin\/[^/]+$/;

interface Segment {
  vaddr: number;
  offset: number;
  filesz: number;
  writable: boolean;
  /** Writable and not executable: where the linker puts data. */
  data: boolean;
}

/** Reads an ELF's fields in its width and byte order. */
class ElfFields {
  private constructor(
    readonly wide: boolean,
    readonly little: boolean,
  ) {}

  static of(head: Uint8Array | undefined): ElfFields | undefined {
    if (!head || head.byteLength < ELF_HEADER_SIZE || head[0] !== 0x7f || head[1] !== 0x45 || head[2] !== 0x4c || head[3] !== 0x46) {
      return undefined;
    }
    return new ElfFields(head[4] === 2, head[5] === 1);
  }

  /** A header field's offset in the 64-bit or the 32-bit layout. */
  at(wide: number, narrow: number): number {
    return this.wide ? wide : narrow;
  }

  half(bytes: Uint8Array, at: number): number {
    return view(bytes).getUint16(at, this.little);
  }

  u32(bytes: Uint8Array, at: number): number {
    return view(bytes).getUint32(at, this.little);
  }

  word(bytes: Uint8Array, at: number): number {
    return this.wide ? Number(view(bytes).getBigUint64(at, this.little)) : this.u32(bytes, at);
  }
}

const view = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** A `\xff Go buildinf:` header seen in a writable segment, with the strings it leads to. */
interface Candidate {
  offset: number;
  version?: string;
  modinfo?: Uint8Array;
}

function uvarint(data: Uint8Array, at: number): [value: number, next: number] | undefined {
  let value = 0;
  for (let shift = 0, i = at; i < data.byteLength && shift < 49; shift += 7, i++) {
    value += (data[i]! & 0x7f) * 2 ** shift;
    if (data[i]! < 0x80) return [value, i + 1];
  }
  return undefined;
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

/** One Go binary read as it streams past (see the top of the file for what is kept). */
export class GoBuildInfoScan implements StreamScan {
  private readonly capture = new StreamCapture(WINDOW_BYTES);
  /** Set once the file is known not to be an ELF we can read: the rest is skipped. */
  private stopped = false;
  private segments: Segment[] | undefined;
  private sections: { elf: ElfFields; table: Uint8Array; shentsize: number; shstrndx: number } | undefined;
  /** File offsets where `.go.buildinfo\0` passed: the section's name in the name table among them. */
  private readonly sectionNames = new Set<number>();
  private readonly candidates: Candidate[] = [];
  /** Bytes kept where they passed, by file offset: `go1.` strings and framed module lists. */
  private readonly sightings: { offset: number; bytes: Uint8Array }[] = [];
  private versionSightings = 0;
  private frames = 0;
  /** A module list being kept from its start sentinel until its end one passes. */
  private openFrame: { offset: number; capturing: Capturing } | undefined;

  constructor(private readonly path: string) {
    this.capture.request(0, ELF_HEADER_SIZE, (head) => this.readElfHeader(head));
    this.capture.watch(MAGIC, (offset) => this.readCandidate(offset));
    this.capture.watch(SECTION_NAME, (offset) => {
      if (this.sectionNames.size < MAX_CANDIDATES) this.sectionNames.add(offset);
    });
    this.capture.watch(GO1, (offset) => {
      if (this.versionSightings >= MAX_VERSION_SIGHTINGS) return;
      this.versionSightings++;
      this.capture.request(offset, VERSION_SIGHTING_BYTES, (bytes) => this.keep(offset, bytes));
    });
    this.capture.watch(FRAME_START, (offset) => {
      if (this.frames >= MAX_FRAMES || this.openFrame) return;
      this.frames++;
      let finished = false;
      const capturing = this.capture.request(offset, MAX_STRING, (bytes) => {
        finished = true;
        this.openFrame = undefined;
        this.keep(offset, bytes);
      });
      if (!finished) this.openFrame = { offset, capturing };
    });
    this.capture.watch(FRAME_END, (end) => this.openFrame?.capturing.shorten(end + FRAME_END.byteLength - this.openFrame.offset));
  }

  /** The most bytes held at once, for tests to bound. */
  get peakRetainedBytes(): number {
    return this.capture.peakRetainedBytes + this.sightings.reduce((total, sighting) => total + sighting.bytes.byteLength, 0);
  }

  write(chunk: Uint8Array): void {
    if (this.stopped) return;
    try {
      this.capture.write(chunk);
    } catch (error) {
      // Headers pointing past the end of a truncated or damaged file.
      if (!(error instanceof RangeError)) throw error;
      this.stopped = true;
    }
  }

  end(): FoundPackage[] {
    this.capture.end();
    if (this.stopped || !this.segments) return [];
    const start = this.buildInfoSection() ?? this.segments.find((segment) => segment.data)?.vaddr;
    const segment = start === undefined ? undefined : this.segments.find((s) => s.vaddr <= start && start < s.vaddr + s.filesz);
    if (start === undefined || !segment) return [];
    // As Go's reader: the first 16-aligned header within the first 64 KiB from the data start.
    const searched = Math.min(SEARCH_BYTES, segment.vaddr + segment.filesz - start);
    const header = this.candidates.find(({ offset }) => {
      const at = segment.vaddr + (offset - segment.offset) - start;
      return at >= 0 && at % ALIGN === 0 && at + HEADER_SIZE <= searched;
    });
    if (header?.version === undefined || !header.modinfo) return [];
    return modulePackages(this.path, header.version, unframe(header.modinfo));
  }

  private readElfHeader(head: Uint8Array | undefined): void {
    const elf = ElfFields.of(head);
    if (!elf || !head) {
      this.stopped = true;
      return;
    }
    const phentsize = elf.half(head, elf.at(0x36, 0x2a));
    const programHeaders = phentsize * elf.half(head, elf.at(0x38, 0x2c));
    const shentsize = elf.half(head, elf.at(0x3a, 0x2e));
    const shnum = elf.half(head, elf.at(0x3c, 0x30));
    const shoff = elf.word(head, elf.at(0x28, 0x20));
    const shstrndx = elf.half(head, elf.at(0x3e, 0x32));
    if (programHeaders > MAX_TABLE) {
      this.stopped = true;
      return;
    }
    this.capture.request(elf.word(head, elf.at(0x20, 0x1c)), programHeaders, (table) => {
      if (table?.byteLength !== programHeaders) return;
      this.segments = [];
      for (let ph = 0; ph + phentsize <= programHeaders; ph += phentsize) {
        if (elf.u32(table, ph) !== PT_LOAD) continue;
        const flags = elf.u32(table, ph + elf.at(4, 0x18));
        this.segments.push({
          offset: elf.word(table, ph + elf.at(8, 4)),
          vaddr: elf.word(table, ph + elf.at(0x10, 8)),
          filesz: elf.word(table, ph + elf.at(0x20, 0x10)),
          writable: (flags & PF_W) !== 0,
          data: (flags & (PF_W | PF_X)) === PF_W,
        });
      }
    });
    if (shoff === 0 || shnum === 0 || shstrndx >= shnum || shnum * shentsize > MAX_TABLE) return;
    this.capture.request(shoff, shnum * shentsize, (table) => {
      if (table?.byteLength === shnum * shentsize) this.sections = { elf, table, shentsize, shstrndx };
    });
  }

  /**
   * Finds the .go.buildinfo section's address through the section names. The name table often
   * passes long before the section headers (both at the end of an externally linked binary, the
   * symbol names between them), so the names are matched by where `.go.buildinfo\0` was seen.
   */
  private buildInfoSection(): number | undefined {
    if (!this.sections) return undefined;
    const { elf, table, shentsize, shstrndx } = this.sections;
    const names = elf.word(table, shstrndx * shentsize + elf.at(0x18, 0x10));
    for (let sh = 0; sh + shentsize <= table.byteLength; sh += shentsize) {
      if (this.sectionNames.has(names + elf.u32(table, sh))) return elf.word(table, sh + elf.at(0x10, 0xc));
    }
    return undefined;
  }

  private readCandidate(offset: number): void {
    // Headers in read-only data are literals (Go's own tools hold one), not build info.
    const segment = this.segmentAtOffset(offset);
    if (this.candidates.length >= MAX_CANDIDATES || (this.segments && !segment?.writable)) return;
    const candidate: Candidate = { offset };
    this.candidates.push(candidate);
    this.capture.request(offset, HEADER_SIZE, (header) => {
      if (header?.byteLength !== HEADER_SIZE) return;
      if (header[15]! & FLAG_INLINE_STRINGS) this.readInlineStrings(candidate, offset + HEADER_SIZE);
      else this.followPointers(candidate, header);
    });
  }

  /** Go ≥1.18: the version and module strings follow the header, each prefixed by its length. */
  private readInlineStrings(candidate: Candidate, at: number): void {
    this.readLengthPrefixed(at, (version, next) => {
      this.readLengthPrefixed(next, (modinfo) => {
        candidate.version = new TextDecoder().decode(version);
        candidate.modinfo = modinfo;
      });
    });
  }

  private readLengthPrefixed(at: number, done: (bytes: Uint8Array, next: number) => void): void {
    this.capture.request(at, 10, (prefix) => {
      const length = prefix && uvarint(prefix, 0);
      if (!length || length[0] > MAX_STRING) return;
      const start = at + length[1];
      this.capture.request(start, length[0], (bytes) => {
        if (bytes?.byteLength === length[0]) done(bytes, start + length[0]);
      });
    });
  }

  /** Older Go: two pointers to Go string headers ({data pointer, length}) elsewhere in the image. */
  private followPointers(candidate: Candidate, header: Uint8Array): void {
    const pointerSize = header[14]!;
    if (pointerSize !== 4 && pointerSize !== 8) return;
    const little = (header[15]! & FLAG_BIG_ENDIAN) === 0;
    const pointer = (bytes: Uint8Array, at: number) =>
      pointerSize === 8 ? Number(view(bytes).getBigUint64(at, little)) : view(bytes).getUint32(at, little);
    const goString = (address: number, done: (bytes: Uint8Array) => void) => {
      this.bytesAt(address, 2 * pointerSize, (stringHeader) => {
        const length = pointer(stringHeader, pointerSize);
        if (length === 0) done(new Uint8Array());
        else if (length <= MAX_STRING) this.bytesAt(pointer(stringHeader, 0), length, done);
      });
    };
    goString(pointer(header, 16), (version) => (candidate.version = new TextDecoder().decode(version)));
    goString(pointer(header, 16 + pointerSize), (modinfo) => (candidate.modinfo = modinfo));
  }

  /** The bytes at a virtual address: from what was kept in passing, else as the stream brings them. */
  private bytesAt(address: number, length: number, done: (bytes: Uint8Array) => void): void {
    const segment = this.segments?.find((s) => s.vaddr <= address && address + length <= s.vaddr + s.filesz);
    if (!segment) return;
    const offset = segment.offset + (address - segment.vaddr);
    const kept = this.sightings.find((s) => s.offset <= offset && offset + length <= s.offset + s.bytes.byteLength);
    if (kept) return done(kept.bytes.subarray(offset - kept.offset, offset - kept.offset + length));
    this.capture.request(offset, length, (bytes) => {
      if (bytes?.byteLength === length) done(bytes);
    });
  }

  private segmentAtOffset(offset: number): Segment | undefined {
    return this.segments?.find((s) => s.offset <= offset && offset < s.offset + s.filesz);
  }

  private keep(offset: number, bytes: Uint8Array | undefined): void {
    if (bytes && bytes.byteLength > 0) this.sightings.push({ offset, bytes });
  }
}

export const goBinaryDetector: PackageDetector = {
  name: "go-binary",
  /** Read as a stream (`stream`), never whole: any size. */
  maxBytes: Number.POSITIVE_INFINITY,
  wants: (path, mode) => (mode === undefined ? BIN_DIRECTORY.test(path) : (mode & 0o111) !== 0),
  stream: (path) => new GoBuildInfoScan(path),
  detect(path, content) {
    const scan = new GoBuildInfoScan(path);
    scan.write(content);
    return scan.end();
  },
};
