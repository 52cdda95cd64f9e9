import { describe, expect, it } from "vitest";
import { gzip, streamOf, tar, zstdStored } from "../fixtures/build-layer.ts";
import { chunksOf } from "./byte-source.ts";
import { decompressed } from "./decompress.ts";
import { normalizeTarPath, tarEntries, TarError } from "./tar.ts";

async function list(layer: Uint8Array, chunkSize?: number) {
  const seen: { path: string; type: string; linkTarget: string; content?: string }[] = [];
  for await (const entry of tarEntries(decompressed(chunksOf(streamOf(layer, chunkSize))))) {
    const item = { path: entry.path, type: entry.type, linkTarget: entry.linkTarget };
    // Read every other file so both reading and skipping are exercised.
    seen.push(entry.path.endsWith(".txt") ? { ...item, content: new TextDecoder().decode(await entry.read()) } : item);
  }
  return seen;
}

const longDir = `usr/lib/python3/dist-packages/${"very-long-directory-name/".repeat(6)}`;
const entries = [
  { path: "./etc/" },
  { path: "./etc/hello.txt", content: "hello\n" },
  { path: "./etc/big.bin", content: new Uint8Array(70_000).fill(7) },
  { path: "./etc/link", type: "symlink" as const, linkTarget: "../usr/lib/os-release" },
  { path: "./etc/hard", type: "hardlink" as const, linkTarget: "./etc/hello.txt" },
  { path: `${longDir}METADATA.txt`, content: "long name\n" },
];
const expected = [
  { path: "etc", type: "directory", linkTarget: "" },
  { path: "etc/hello.txt", type: "file", linkTarget: "", content: "hello\n" },
  { path: "etc/big.bin", type: "file", linkTarget: "" },
  { path: "etc/link", type: "symlink", linkTarget: "../usr/lib/os-release" },
  { path: "etc/hard", type: "hardlink", linkTarget: "etc/hello.txt" },
  { path: `${longDir}METADATA.txt`, type: "file", linkTarget: "", content: "long name\n" },
];

describe("tar layers", () => {
  it("reads a plain tar in small chunks, with PAX long names", async () => {
    expect(await list(tar(entries), 13)).toEqual(expected);
  });

  it("reads GNU long names", async () => {
    expect(await list(tar(entries, { longNames: "gnu" }))).toEqual(expected);
  });

  it("reads gzip and zstd layers alike", async () => {
    expect(await list(gzip(tar(entries)), 50)).toEqual(expected);
    expect(await list(zstdStored(tar(entries)), 1000)).toEqual(expected);
  });

  it("accepts an archive without its end blocks", async () => {
    expect(await list(tar(entries, { omitEnd: true }))).toEqual(expected);
  });

  it("refuses bytes that are not a tar", async () => {
    await expect(list(new TextEncoder().encode("x".repeat(600)))).rejects.toThrow(TarError);
  });

  it("refuses an archive cut inside an entry", async () => {
    const whole = tar([{ path: "a.txt", content: "x".repeat(2000) }]);
    await expect(list(whole.subarray(0, 1024))).rejects.toThrow(TarError);
  });

  it("accepts a checksum summed over signed bytes, as some old writers did", async () => {
    const archive = tar([{ path: "etc/café.txt", content: "x" }]);
    let signed = 0;
    for (let i = 0; i < 512; i++) signed += i >= 148 && i < 156 ? 0x20 : (archive[i]! << 24) >> 24;
    archive.set(new TextEncoder().encode(`${signed.toString(8).padStart(6, "0")}\0 `), 148);
    expect(await list(archive)).toEqual([{ path: "etc/café.txt", type: "file", linkTarget: "", content: "x" }]);
  });

  it("normalizes paths", () => {
    expect(normalizeTarPath("./a//b/./c/")).toBe("a/b/c");
    expect(normalizeTarPath("/a/../../b")).toBe("b");
  });
  it("hands an entry over piece by piece, and skips what a reader left of it to get to the next entry", async () => {
    const big = new Uint8Array(70_000).map((_, i) => i % 251);
    const layer = tar([{ path: "a.bin", content: big }, { path: "b.bin", content: big }, { path: "c.txt", content: "after\n" }]);
    const seen: string[] = [];
    for await (const entry of tarEntries(chunksOf(streamOf(layer, 4096)))) {
      const pieces: Uint8Array[] = [];
      for await (const piece of entry.pieces()) {
        pieces.push(piece);
        if (entry.path === "b.bin" && pieces.length === 3) break;
      }
      const whole = new Uint8Array(pieces.reduce((sum, piece) => sum + piece.byteLength, 0));
      pieces.reduce((at, piece) => (whole.set(piece, at), at + piece.byteLength), 0);
      const read = whole.byteLength === big.byteLength && whole.every((byte, i) => byte === big[i]) ? "all" : new TextDecoder().decode(whole);
      seen.push(`${entry.path}: ${pieces.length > 1 ? `${pieces.length} pieces` : "one piece"}, ${read}`);
    }
    expect(seen).toEqual(["a.bin: 18 pieces, all", expect.stringMatching(/^b\.bin: 3 pieces, /), "c.txt: one piece, after\n"]);
  });
});
