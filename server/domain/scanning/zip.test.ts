import { describe, expect, it } from "vitest";
import { buildZip } from "./fixtures/build-zip.ts";
import { readZipEntry, ZipError, zipEntries } from "./zip.ts";

const text = (bytes: Uint8Array | undefined) => (bytes ? new TextDecoder().decode(bytes) : undefined);
const files = [
  { name: "META-INF/MANIFEST.MF", data: "Manifest-Version: 1.0\r\n" },
  { name: "a/b.txt", data: "hello ".repeat(50) },
];

describe("zip reader", () => {
  for (const [label, options] of [
    ["stored", {}],
    ["deflated", { deflate: true }],
    ["ZIP64", { deflate: true, zip64: true }],
  ] as const) {
    it(`lists and reads ${label} entries`, () => {
      const zip = buildZip(files, options);
      const entries = zipEntries(zip);
      expect(entries.map((e) => [e.name, e.size])).toEqual([
        ["META-INF/MANIFEST.MF", 23],
        ["a/b.txt", 300],
      ]);
      expect(text(readZipEntry(zip, entries[1]!, 1000))).toBe("hello ".repeat(50));
      expect(text(readZipEntry(zip, entries[0]!, 1000))).toBe("Manifest-Version: 1.0\r\n");
    });
  }

  it("skips entries larger than the limit, and inflated output past it even when the size lies", () => {
    const zip = buildZip(files, { deflate: true });
    const entries = zipEntries(zip);
    expect(readZipEntry(zip, entries[1]!, 299)).toBeUndefined();
    expect(() => readZipEntry(zip, { ...entries[1]!, size: 10 }, 100)).toThrow(ZipError);
  });

  it("finds the end record behind an archive comment and rejects what is not a zip", () => {
    const zip = buildZip(files);
    const withComment = new Uint8Array(zip.byteLength + 5);
    withComment.set(zip);
    withComment.set([0x68, 0x69, 0x21, 0x21, 0x21], zip.byteLength);
    new DataView(withComment.buffer).setUint16(zip.byteLength - 2, 5, true);
    expect(zipEntries(withComment)).toHaveLength(2);
    expect(() => zipEntries(new TextEncoder().encode("#!/bin/sh\necho not a zip, just some text\n"))).toThrow(ZipError);
  });
});
