// Layers are gzip, zstd or plain tars whatever their media type says (Docker's own layers are
// all "tar.gzip"), so the compression is read from the first bytes. gzip goes through the web
// DecompressionStream (Node 20 and Deno alike); neither runtime ships zstd on Node 20, so it goes
// through fzstd, a small pure-JavaScript streaming decoder.
import { Decompress } from "fzstd";

export type Compression = "gzip" | "zstd" | "none";

const GZIP_MAGIC = [0x1f, 0x8b];
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];

function startsWith(bytes: Uint8Array, magic: number[]): boolean {
  return magic.every((byte, i) => bytes[i] === byte);
}

export function compressionOf(head: Uint8Array): Compression {
  if (startsWith(head, GZIP_MAGIC)) return "gzip";
  if (startsWith(head, ZSTD_MAGIC)) return "zstd";
  return "none";
}

/** The uncompressed bytes of a layer, chunk by chunk, whichever compression it has. */
export async function* decompressed(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const iterator = chunks[Symbol.asyncIterator]();
  // Gather enough of the start to recognise the magic numbers, then replay it.
  const head: Uint8Array[] = [];
  let headLength = 0;
  while (headLength < ZSTD_MAGIC.length) {
    const next = await iterator.next();
    if (next.done) break;
    head.push(next.value);
    headLength += next.value.byteLength;
  }
  async function* replayed(): AsyncGenerator<Uint8Array> {
    try {
      yield* head;
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
    } finally {
      await iterator.return?.();
    }
  }
  const compression = compressionOf(concat(head, Math.min(headLength, ZSTD_MAGIC.length)));
  if (compression === "gzip") yield* gunzipped(replayed());
  else if (compression === "zstd") yield* unzstded(replayed());
  else yield* replayed();
}

function concat(parts: Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    if (at >= length) break;
    const piece = part.subarray(0, length - at);
    out.set(piece, at);
    at += piece.byteLength;
  }
  return out;
}

async function* gunzipped(chunks: AsyncGenerator<Uint8Array>): AsyncGenerator<Uint8Array> {
  const input = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await chunks.next();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    async cancel() {
      await chunks.return(undefined);
    },
  });
  // The DOM typings accept only ArrayBuffer-backed views on the writable side; any Uint8Array works.
  const gunzip = new DecompressionStream("gzip") as unknown as TransformStream<Uint8Array, Uint8Array>;
  const reader = input.pipeThrough(gunzip).getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

async function* unzstded(chunks: AsyncGenerator<Uint8Array>): AsyncGenerator<Uint8Array> {
  // fzstd hands out whole blocks (at most 128 KiB each) synchronously per pushed chunk.
  let out: Uint8Array[] = [];
  const decoder = new Decompress((data) => {
    if (data.byteLength > 0) out.push(data);
  });
  for await (const chunk of chunks) {
    decoder.push(chunk);
    if (out.length > 0) {
      yield* out;
      out = [];
    }
  }
  decoder.push(new Uint8Array(0), true);
  yield* out;
}
