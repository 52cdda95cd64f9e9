// Reads a file as it streams past while keeping only chosen ranges of it, so a detector can look
// into a binary of any size without holding it: a range asked for ahead of the stream is copied
// as it passes, one just behind comes from a window of the latest bytes, and byte patterns are
// watched for across chunk boundaries (each hit reported with its file offset).
import { Buffer } from "node:buffer";

interface Pending {
  offset: number;
  length: number;
  /** Grown as bytes arrive, so a long request costs only what has passed. */
  bytes: Uint8Array;
  /** How many bytes from the start are filled. */
  filled: number;
  done: (bytes: Uint8Array | undefined) => void;
}

/** A request still waiting, which can be cut short (once its end is known). */
export interface Capturing {
  shorten(length: number): void;
}

interface Watch {
  pattern: Buffer;
  onHit: (offset: number) => void;
}

/** What a long request holds to begin with. */
const GROWTH = 64 * 1024;

export class StreamCapture {
  /** Bytes seen so far: the offset of the next chunk. */
  private position = 0;
  /** The latest chunks (each with its offset), at least `windowBytes` of them when there are. */
  private recent: { offset: number; bytes: Uint8Array }[] = [];
  private pending: Pending[] = [];
  private readonly watches: Watch[] = [];
  /** The previous chunks' last bytes, for patterns split across a chunk boundary. */
  private tail = new Uint8Array(0);
  private ended = false;
  /** The most this capture held at once (window and pending copies), for tests to bound. */
  peakRetainedBytes = 0;

  constructor(private readonly windowBytes: number) {}

  get retainedBytes(): number {
    let total = this.tail.byteLength;
    for (const chunk of this.recent) total += chunk.bytes.byteLength;
    for (const request of this.pending) total += request.bytes.byteLength;
    return total;
  }

  watch(pattern: Uint8Array, onHit: (offset: number) => void): void {
    this.watches.push({ pattern: Buffer.from(pattern), onHit });
  }

  /**
   * Calls `done` with the `length` bytes at `offset` once they have passed: fewer when the file
   * ends first, undefined when part of them has already left the window.
   */
  request(offset: number, length: number, done: (bytes: Uint8Array | undefined) => void): Capturing {
    const request: Pending = { offset, length, bytes: new Uint8Array(Math.min(length, GROWTH)), filled: 0, done };
    const handle: Capturing = {
      shorten: (shorter) => {
        request.length = Math.min(request.length, shorter);
        if (this.pending.includes(request) && request.filled >= request.length) {
          this.pending = this.pending.filter((other) => other !== request);
          done(request.bytes.subarray(0, request.length));
        }
      },
    };
    const oldest = this.recent[0]?.offset ?? this.position;
    if (offset < oldest || length < 0) {
      done(undefined);
      return handle;
    }
    for (const chunk of this.recent) this.fill(request, chunk.offset, chunk.bytes);
    if (request.filled === length || this.ended) done(request.bytes.subarray(0, request.filled));
    else {
      this.pending.push(request);
      this.note();
    }
    return handle;
  }

  write(chunk: Uint8Array): void {
    if (chunk.byteLength === 0) return;
    const offset = this.position;
    this.position += chunk.byteLength;
    this.recent.push({ offset, bytes: chunk });
    this.note();
    const waiting = this.pending;
    this.pending = [];
    for (const request of waiting) {
      this.fill(request, offset, chunk);
      if (request.filled >= request.length) request.done(request.bytes.subarray(0, request.length));
      else this.pending.push(request);
    }
    this.findPatterns(offset, chunk);
    this.trim();
  }

  /** The file is over: requests still waiting get what arrived. */
  end(): void {
    this.ended = true;
    const waiting = this.pending;
    this.pending = [];
    for (const request of waiting) request.done(request.bytes.subarray(0, request.filled));
    this.recent = [];
  }

  /** Copies the part of a chunk that continues a request's filled bytes. */
  private fill(request: Pending, offset: number, bytes: Uint8Array): void {
    const want = request.offset + request.filled;
    if (want < offset || want >= offset + bytes.byteLength) return;
    const part = bytes.subarray(want - offset, Math.min(bytes.byteLength, want - offset + request.length - request.filled));
    if (request.filled + part.byteLength > request.bytes.byteLength) {
      const grown = new Uint8Array(Math.min(request.length, Math.max(2 * request.bytes.byteLength, request.filled + part.byteLength)));
      grown.set(request.bytes.subarray(0, request.filled));
      request.bytes = grown;
    }
    request.bytes.set(part, request.filled);
    request.filled += part.byteLength;
  }

  private findPatterns(offset: number, chunk: Uint8Array): void {
    if (this.watches.length === 0) return;
    const longest = Math.max(...this.watches.map((w) => w.pattern.byteLength));
    const body = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    // The previous bytes with the chunk's first ones: a hit starting in the tail crosses the boundary.
    const seam = Buffer.concat([this.tail, body.subarray(0, longest - 1)]);
    const seamStart = offset - this.tail.byteLength;
    const hits: { at: number; watch: Watch }[] = [];
    for (const watch of this.watches) {
      // Hits within the tail alone were reported with the chunks before.
      const first = Math.max(0, this.tail.byteLength - watch.pattern.byteLength + 1);
      for (let i = seam.indexOf(watch.pattern, first); i !== -1 && i < this.tail.byteLength; i = seam.indexOf(watch.pattern, i + 1)) {
        hits.push({ at: seamStart + i, watch });
      }
      for (let i = body.indexOf(watch.pattern); i !== -1; i = body.indexOf(watch.pattern, i + 1)) hits.push({ at: offset + i, watch });
    }
    hits.sort((a, b) => a.at - b.at);
    for (const { at, watch } of hits) watch.onHit(at);
    const joined = chunk.byteLength < longest - 1 ? seam : body;
    this.tail = Uint8Array.from(joined.subarray(Math.max(0, joined.byteLength - (longest - 1))));
  }

  /** Drops chunks that fell out of the window (the latest one always stays). */
  private trim(): void {
    while (this.recent.length > 1 && this.recent[1]!.offset <= this.position - this.windowBytes) this.recent.shift();
  }

  private note(): void {
    this.peakRetainedBytes = Math.max(this.peakRetainedBytes, this.retainedBytes);
  }
}
