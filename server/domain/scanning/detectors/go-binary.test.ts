import { describe, expect, it } from "vitest";
import { buildElf, DATA_ADDRESS, framedModinfo, inlineBuildInfo, pointerBuildInfo } from "../fixtures/build-elf.ts";
import { goBinaryDetector, goToolchainVersion } from "./go-binary.ts";

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
