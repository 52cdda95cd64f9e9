// Sends part of a local file as the response body straight into Node's socket, reusing two
// buffers: one being filled from disk while the other is being written. Streams that allocate a
// fresh buffer per chunk made the garbage collector the main cost of a large blob pull.
import type { ServerResponse } from "node:http";
import { open } from "node:fs/promises";
import { RESPONSE_ALREADY_SENT } from "@hono/node-server/utils/response";

const CHUNK = 512 * 1024;
/** Full-size buffers kept between responses, so steady pulls allocate nothing (at most 8 MiB). */
const spare: Buffer[] = [];
const MAX_SPARE = 16;

function takeBuffer(size: number): Buffer {
  return size === CHUNK ? (spare.pop() ?? Buffer.allocUnsafeSlow(CHUNK)) : Buffer.allocUnsafeSlow(size);
}

function giveBack(buffers: Buffer[]): void {
  for (const b of buffers) if (b.length === CHUNK && spare.length < MAX_SPARE) spare.push(b);
}

/**
 * Writes the status, headers and `length` bytes of `path` from byte `start`. The file is opened
 * first, so a missing file still fails as an ordinary error before anything is sent.
 */
export async function sendFileRange(
  out: ServerResponse,
  status: number,
  headers: Record<string, string>,
  path: string,
  start: number,
  length: number,
): Promise<Response> {
  const file = await open(path, "r");
  out.writeHead(status, headers);
  void pump(out, file, start, length).finally(() => file.close());
  return RESPONSE_ALREADY_SENT;
}

async function pump(out: ServerResponse, file: Awaited<ReturnType<typeof open>>, start: number, length: number) {
  const gone = new Promise<never>((_, reject) => out.once("close", () => reject(new Error("client went away"))));
  gone.catch(() => {});
  // Small blobs (configs, signatures) get one buffer of their own size.
  const size = Math.min(CHUNK, length);
  const buffers = length > CHUNK ? [takeBuffer(size), takeBuffer(size)] : [takeBuffer(size)];
  // The write still using each buffer; a buffer is refilled only once the socket has taken it.
  const inFlight: Promise<void>[] = buffers.map(() => Promise.resolve());
  const write = (chunk: Buffer) =>
    new Promise<void>((resolve, reject) => out.write(chunk, (err) => (err ? reject(err) : resolve())));
  try {
    let position = start;
    let remaining = length;
    for (let turn = 0; remaining > 0; turn = (turn + 1) % buffers.length) {
      await Promise.race([inFlight[turn], gone]);
      const buffer = buffers[turn]!;
      const { bytesRead } = await file.read(buffer, 0, Math.min(buffer.length, remaining), position);
      if (bytesRead === 0) throw new Error("blob file is shorter than its recorded size");
      inFlight[turn] = write(bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead));
      inFlight[turn]!.catch(() => {});
      position += bytesRead;
      remaining -= bytesRead;
    }
    await Promise.race([Promise.all(inFlight), gone]);
    out.end();
    giveBack(buffers); // only after a clean finish: a dropped socket may still hold one
  } catch {
    // The client went away, or the file was cut short: drop the connection, so the client sees
    // an incomplete body rather than a complete-looking wrong one.
    out.destroy();
  }
}
