import { describe, expect, it } from "vitest";
import { buildElf, DATA_ADDRESS, framedModinfo, inlineBuildInfo, pointerBuildInfo } from "../fixtures/build-elf.ts";
import { concat } from "../fixtures/build-layer.ts";
import { GoBuildInfoScan, goBinaryDetector, goToolchainVersion } from "./go-binary.ts";

const MODINFO = framedModinfo([
  "path\texample.com/app/cmd/server",
  "mod\texample.com/app\t(devel)\t",
  "dep\tgithub.com/google/uuid\tv1.3.0\th1:t6JiXgmwXMjEs8VusXIJk2BXHsn+wx8BZdTaoZ5fu7I=",
  "dep\tgolang.org/x/net\tv0.7.0\th1:rJrUqqhjsgNp7KqAIc25s9pZnjU7TUcSY7HcVZjdn1g=",
  "=>\tgolang.org/x/net\tv0.17.0\th1:pVaXccu2ozPjCXewfr1S7xza/zcXTity9cCdXQYSjIM=",
  "dep\texample.com/local\tv1.0.0\t",
  "=>\t../local\t\t",
  "build\t-compiler=gc",
  "build\tGOOS=linux",
]);

const EXPECTED = [
  { name: "stdlib", version: "v1.21.5" },
  { name: "example.com/app", version: "(devel)" },
  { name: "github.com/google/uuid", version: "v1.3.0" },
  { name: "golang.org/x/net", version: "v0.17.0" },
  { name: "example.com/local", version: "(devel)" },
].map((p) => ({ ...p, ecosystem: "go", path: "usr/local/bin/server" }));

const detect = async (content: Uint8Array) => await goBinaryDetector.detect("usr/local/bin/server", content);

/** Streams a binary to the detector in chunks ending at the given offsets (and the file's end). */
function streamed(binary: Uint8Array, cuts: number[]): GoBuildInfoScan {
  const scan = new GoBuildInfoScan("usr/local/bin/server");
  let at = 0;
  for (const cut of [...cuts, binary.byteLength]) {
    scan.write(binary.subarray(at, cut));
    at = cut;
  }
  return scan;
}

const inChunksOf = (binary: Uint8Array, size: number) => Array.from({ length: Math.ceil(binary.byteLength / size) }, (_, i) => i * size);
const MIB = 1024 * 1024;

describe("Go binary detector", () => {
  it("reads the inline build info of Go ≥1.18 from the .go.buildinfo section", async () => {
    expect(await detect(buildElf(inlineBuildInfo("go1.21.5", MODINFO)))).toEqual(EXPECTED);
  });

  it("finds the header in the writable segment when the binary has no section headers, skipping misaligned matches", async () => {
    const info = inlineBuildInfo("go1.21.5", MODINFO);
    const decoy = new Uint8Array(48);
    decoy.set(info.subarray(0, 32), 8); // the magic at offset 8 is not 16-aligned
    const data = new Uint8Array(decoy.byteLength + info.byteLength);
    data.set(decoy);
    data.set(info, decoy.byteLength);
    expect(await detect(buildElf(data, { sections: false }))).toEqual(EXPECTED);
  });

  it("does not take an executable segment for data when there is no .go.buildinfo section", async () => {
    const data = inlineBuildInfo("go1.21.5", MODINFO);
    expect(await detect(buildElf(data, { sections: false, segmentFlags: 7 }))).toEqual([]);
    expect(await detect(buildElf(data, { sections: true, segmentFlags: 7 }))).toEqual(EXPECTED);
  });

  for (const [label, pointerSize, wide, bigEndian] of [
    ["64-bit little-endian", 8, true, false],
    ["32-bit big-endian", 4, false, true],
  ] as const) {
    it(`follows the pointers of the older format (${label})`, async () => {
      const data = pointerBuildInfo("go1.16.15", MODINFO, pointerSize, bigEndian, DATA_ADDRESS);
      const found = await detect(buildElf(data, { wide, bigEndian }));
      expect(found[0]).toEqual({ name: "stdlib", version: "v1.16.15", ecosystem: "go", path: "usr/local/bin/server" });
      expect(found.slice(1)).toEqual(EXPECTED.slice(1));
    });
  }

  it("gives nothing for non-Go ELF files, non-ELF files and truncated binaries", async () => {
    const binary = buildElf(inlineBuildInfo("go1.21.5", MODINFO));
    expect(await detect(buildElf(new TextEncoder().encode("just C data, no Go here".repeat(4))))).toEqual([]);
    expect(await detect(new TextEncoder().encode("#!/bin/sh\n".repeat(10)))).toEqual([]);
    expect(await detect(binary.subarray(0, 200))).toEqual([]);
  });

  it("gives only stdlib when the module list is missing (a binary built outside module mode)", async () => {
    expect(await detect(buildElf(inlineBuildInfo("go1.20", new Uint8Array())))).toEqual([
      { name: "stdlib", version: "v1.20.0", ecosystem: "go", path: "usr/local/bin/server" },
    ]);
  });

  it("finds the build info streamed in chunks cut anywhere: inside the magic, the header, a length prefix, a string", () => {
    const binaries = {
      inline: buildElf(inlineBuildInfo("go1.21.5", MODINFO)),
      "inline, no sections": buildElf(inlineBuildInfo("go1.21.5", MODINFO), { sections: false }),
      pointers: buildElf(pointerBuildInfo("go1.21.5", MODINFO, 8, false, DATA_ADDRESS)),
    };
    for (const [label, binary] of Object.entries(binaries)) {
      const whole = streamed(binary, []).end();
      expect(whole, label).toEqual(EXPECTED);
      // Every single cut (the magic starts at DATA_OFFSET; its 14 bytes, the varints and strings follow).
      for (let cut = 1; cut < binary.byteLength; cut++) expect(streamed(binary, [cut]).end(), `${label} cut at ${cut}`).toEqual(EXPECTED);
      // A byte at a time: the magic and every string across many chunks.
      expect(streamed(binary, inChunksOf(binary, 1)).end(), label).toEqual(EXPECTED);
      expect(streamed(binary, inChunksOf(binary, 7)).end(), label).toEqual(EXPECTED);
    }
  });

  it("reads a large binary without holding it: the inline strings after the header, the older format's strings from far behind it", async () => {
    const filler = new Uint8Array(24 * MIB).fill(0x90);
    const inline = buildElf(inlineBuildInfo("go1.21.5", MODINFO), { before: filler });
    const inlineScan = streamed(inline, inChunksOf(inline, 64 * 1024));
    expect(inlineScan.end()).toEqual(EXPECTED);

    // As the linker lays out Go < 1.18: the version and module list in read-only data, megabytes
    // before the header whose pointers lead back to them.
    const version = new TextEncoder().encode("go1.16.15");
    const before = concat([version, MODINFO, filler]);
    const headerAddress = DATA_ADDRESS + before.byteLength;
    const pointers = pointerBuildInfo("go1.16.15", MODINFO, 8, false, headerAddress, { version: DATA_ADDRESS, modinfo: DATA_ADDRESS + version.byteLength });
    const older = buildElf(pointers, { before });
    const olderScan = streamed(older, inChunksOf(older, 64 * 1024));
    expect(olderScan.end()).toEqual([{ name: "stdlib", version: "v1.16.15", ecosystem: "go", path: "usr/local/bin/server" }, ...EXPECTED.slice(1)]);

    for (const scan of [inlineScan, olderScan]) expect(scan.peakRetainedBytes).toBeLessThan(MIB / 2);
  });

  it("turns toolchain versions into semver", () => {
    expect(goToolchainVersion("go1.21.5")).toBe("v1.21.5");
    expect(goToolchainVersion("go1.22.1 X:boringcrypto")).toBe("v1.22.1");
    expect(goToolchainVersion("go1.21rc2")).toBe("v1.21.0-rc.2");
    expect(goToolchainVersion("go1.9beta1")).toBe("v1.9.0-beta.1");
    expect(goToolchainVersion("devel go1.23-abcdef Tue Jan 2")).toBeUndefined();
  });

  it("wants executables when the reader gives permission bits, and files in bin directories when it does not", () => {
    expect(goBinaryDetector.wants("manager", 0o755)).toBe(true);
    expect(goBinaryDetector.wants("usr/local/bin/app", 0o644)).toBe(false);
    expect(goBinaryDetector.wants("usr/local/bin/app")).toBe(true);
    expect(goBinaryDetector.wants("bin/busybox")).toBe(true);
    expect(goBinaryDetector.wants("etc/passwd")).toBe(false);
  });
});
