// A layer's bytes arrive as a web ReadableStream (a blob read from storage, a fetch body) or any
// async iterable of chunks; both are read through one async iterator so the rest of the layer
// reader sees a single shape.

export type ByteSource = ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

export async function* chunksOf(source: ByteSource): AsyncGenerator<Uint8Array> {
  if (!("getReader" in source)) {
    yield* source;
    return;
  }
  const reader = source.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    // Stopping early (end of the tar archive reached) must release the stream.
    await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

/** Pulls exact byte counts out of a chunk stream, keeping only the chunks not yet consumed. */
export class ByteReader {
  private readonly chunks: Uint8Array[] = [];
  private buffered = 0;

  constructor(private readonly source: AsyncIterator<Uint8Array>) {}

  /** Buffers at least `n` bytes; false when the stream ends first. */
  private async fill(n: number): Promise<boolean> {
    while (this.buffered < n) {
      const next = await this.source.next();
      if (next.done) return false;
      if (next.value.byteLength === 0) continue;
      this.chunks.push(next.value);
      this.buffered += next.value.byteLength;
    }
    return true;
  }

  /** The next `n` bytes, or null when the stream ends before all of them arrive. */
  async read(n: number): Promise<Uint8Array | null> {
    if (!(await this.fill(n))) return null;
    const first = this.chunks[0];
    if (first && first.byteLength >= n) return this.take(first, n);
    const out = new Uint8Array(n);
    let at = 0;
    while (at < n) {
      const chunk = this.chunks[0]!;
      const part = this.take(chunk, Math.min(chunk.byteLength, n - at));
      out.set(part, at);
      at += part.byteLength;
    }
    return out;
  }

  /** The next `n` bytes in the pieces they arrive in, none kept once handed on; stops short when the stream ends first. */
  async *pieces(n: number): AsyncGenerator<Uint8Array> {
    for (let left = n; left > 0; ) {
      if (!(await this.fill(1))) return;
      const chunk = this.chunks[0]!;
      const part = this.take(chunk, Math.min(chunk.byteLength, left));
      left -= part.byteLength;
      yield part;
    }
  }

  /** Discards the next `n` bytes without holding them; false when the stream ends first. */
  async skip(n: number): Promise<boolean> {
    let left = n;
    while (left > 0) {
      if (!(await this.fill(1))) return false;
      const chunk = this.chunks[0]!;
      left -= this.take(chunk, Math.min(chunk.byteLength, left)).byteLength;
    }
    return true;
  }

  private take(chunk: Uint8Array, n: number): Uint8Array {
    this.buffered -= n;
    if (n === chunk.byteLength) {
      this.chunks.shift();
      return chunk;
    }
    this.chunks[0] = chunk.subarray(n);
    return chunk.subarray(0, n);
  }

  /** Ends the underlying stream early (the archive is over, trailing bytes are not wanted). */
  async close(): Promise<void> {
    await this.source.return?.();
  }
}
