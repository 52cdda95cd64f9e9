import { describe, expect, it } from "vitest";
import { StreamCapture } from "./stream-capture.ts";

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array | undefined) => (data ? new TextDecoder().decode(data) : undefined);

function feed(capture: StreamCapture, data: Uint8Array, size: number): void {
  for (let at = 0; at < data.byteLength; at += size) capture.write(data.subarray(at, at + size));
  capture.end();
}

describe("StreamCapture", () => {
  it("reports each pattern hit once, at its offset, however the stream is chunked", () => {
    const data = bytes("go1.xx go1.go1.----------------PATTERN-SIXTEEN!-go1.");
    for (let size = 1; size <= data.byteLength; size++) {
      const capture = new StreamCapture(64);
      const hits: string[] = [];
      capture.watch(bytes("go1."), (offset) => hits.push(`go1.@${offset}`));
      capture.watch(bytes("PATTERN-SIXTEEN!"), (offset) => hits.push(`long@${offset}`));
      feed(capture, data, size);
      expect(hits, `chunks of ${size}`).toEqual(["go1.@0", "go1.@7", "go1.@11", "long@31", "go1.@48"]);
    }
  });

  it("gives ranges ahead as they pass, ranges in the window at once, and nothing for ranges that left it", () => {
    const capture = new StreamCapture(8);
    const got: (string | undefined)[] = [];
    capture.request(4, 6, (data) => got.push(text(data)));
    feed(capture, bytes("0123456789abcdefghijklmnopqrstuvwxyz"), 4);
    expect(got).toEqual(["456789"]);

    const later = new StreamCapture(8);
    later.write(bytes("0123456789abcdef"));
    later.write(bytes("ghijklmnop"));
    later.request(2, 3, (data) => got.push(text(data)));
    later.request(18, 8, (data) => got.push(text(data)));
    expect(got).toEqual(["456789", undefined, "ijklmnop"]);
  });

  it("ends a request cut short as soon as its new length has passed, and gives what arrived at the end", () => {
    const capture = new StreamCapture(4);
    const got: (string | undefined)[] = [];
    const open = capture.request(2, 1000, (data) => got.push(text(data)));
    capture.request(30, 10, (data) => got.push(text(data)));
    capture.write(bytes("0123456789"));
    open.shorten(5);
    capture.write(bytes("abcdefghijklmnopqrstuvwxyz012345"));
    capture.end();
    expect(got).toEqual(["23456", "uvwxyz0123"]);
  });
});
