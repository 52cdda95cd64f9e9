// BlobStore on an S3 bucket (or an S3-compatible server): blobs at `<prefix>blobs/<algorithm>/<hex>`,
// an upload session's bytes as pieces `<prefix>uploads/<id>/<start>-<uuid>` named by the
// session's state object `<prefix>uploads/<id>/state.json` (see s3-pieces.ts). A request streams
// its bytes into a multipart upload of its own, in parts of PART_BYTES, so that memory stays
// bounded and any node can later read, continue or commit the session from S3 alone. Which of
// two racing requests joins the session is decided by the session row (see uploads.ts), which
// also keeps appends and commits of one session one at a time; the loser's piece is deleted.
// A commit copies the pieces to the blob's key on the server (CopyObject, or UploadPartCopy
// for several pieces), streaming through this process only where the server cannot copy parts.
import { randomUUID } from "node:crypto";
import type { Readable } from "node:stream";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  UploadPartCopyCommand,
} from "@aws-sdk/client-s3";
import type { BlobStore, ByteRange, UploadPart } from "./blob-store.ts";
import { carryFrom, type Piece, pieceName, pieceStart, type SessionState, spans, withPiece } from "./s3-pieces.ts";
import { presignGet, type S3Credentials, type S3Location } from "./s3-presign.ts";

/** Bytes sent per part while streaming a request: two of these in memory at most per request. */
const PART_BYTES = 8 * 1024 * 1024;
/** S3's largest source range for one UploadPartCopy is 5 GiB. */
const MAX_COPY_BYTES = 4 * 1024 * 1024 * 1024;
/** Parts a commit copies at once. */
const COPY_CONCURRENCY = 4;
/** How long a presigned blob URL works. */
const PRESIGNED_SECONDS = 600;

export interface S3StoreOptions extends S3Location {
  /** Key prefix inside the bucket ("" or ending with "/"). */
  prefix: string;
  /** Unset: the SDK's usual sources (environment, shared files, instance roles). */
  credentials?: S3Credentials;
  /** Redirect blob GETs to presigned URLs instead of proxying the bytes. */
  presignedRedirects: boolean;
}

const notFound = (err: unknown) => {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === "NoSuchKey" || e.name === "NotFound" || e.$metadata?.httpStatusCode === 404;
};

const notImplemented = (err: unknown) => {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === "NotImplemented" || e.$metadata?.httpStatusCode === 501;
};

/** The body with each of its chunks reported, after `carried` bytes that are not. */
async function* carriedThen(
  carried: AsyncIterable<Uint8Array>,
  body: AsyncIterable<Uint8Array>,
  onChunk: (chunk: Uint8Array) => void,
  counted: { bytes: number },
): AsyncIterable<Uint8Array> {
  yield* carried;
  for await (const chunk of body) {
    onChunk(chunk);
    counted.bytes += chunk.byteLength;
    yield chunk;
  }
}

export class S3BlobStore implements BlobStore {
  private readonly client: S3Client;
  /** Whether the server implements UploadPartCopy (s3rver does not); unknown until a commit tries. */
  private copiesParts: boolean | undefined;

  constructor(private readonly options: S3StoreOptions) {
    this.client = new S3Client({
      region: options.region,
      endpoint: options.endpoint,
      forcePathStyle: options.pathStyle,
      credentials: options.credentials,
      // Checksums only where S3 demands them: S3-compatible servers differ in what else they accept.
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    });
  }

  private key(path: string): string {
    return `${this.options.prefix}${path}`;
  }

  private blobKey(digest: string): string {
    const m = /^(sha256|sha512):([0-9a-f]+)$/.exec(digest);
    if (!m) throw new Error(`bad digest ${digest}`);
    return this.key(`blobs/${m[1]}/${m[2]}`);
  }

  private uploadKey(id: string, name: string): string {
    if (!/^[0-9a-f-]{36}$/.test(id)) throw new Error(`bad upload id ${id}`);
    return this.key(`uploads/${id}/${name}`);
  }

  private async readState(id: string): Promise<SessionState> {
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: this.uploadKey(id, "state.json") }));
      return JSON.parse(await res.Body!.transformToString()) as SessionState;
    } catch (err) {
      if (notFound(err)) return { pieces: [] };
      throw err;
    }
  }

  private async writeState(id: string, state: SessionState): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.options.bucket,
        Key: this.uploadKey(id, "state.json"),
        Body: JSON.stringify(state),
        ContentType: "application/json",
      }),
    );
  }

  private async getObject(key: string, range?: ByteRange): Promise<Readable> {
    const res = await this.client.send(
      new GetObjectCommand({
        Bucket: this.options.bucket,
        Key: key,
        Range: range ? `bytes=${range.start}-${range.end}` : undefined,
      }),
    );
    return res.Body as Readable;
  }

  /** Bytes `[from, to)` of the session, piece by piece. */
  private async *readSpan(id: string, state: SessionState, from: number, to: number): AsyncIterable<Uint8Array> {
    for (const span of spans(state, from, to)) {
      yield* await this.getObject(this.uploadKey(id, span.piece.name), span);
    }
  }

  async writePart(
    id: string,
    offset: number,
    body: AsyncIterable<Uint8Array>,
    onChunk: (chunk: Uint8Array) => void,
  ): Promise<UploadPart> {
    const state = offset === 0 ? { pieces: [] } : await this.readState(id);
    const start = carryFrom(state, offset);
    const name = pieceName(start, randomUUID());
    const counted = { bytes: 0 };
    await this.putStream(this.uploadKey(id, name), carriedThen(this.readSpan(id, state, start, offset), body, onChunk, counted));
    return { name, offset, size: counted.bytes };
  }

  /** Writes `source` to `key`: one PutObject when it is small, else a multipart upload of PART_BYTES parts. */
  private async putStream(key: string, source: AsyncIterable<Uint8Array>): Promise<void> {
    const Bucket = this.options.bucket;
    let buffered: Uint8Array[] = [];
    let bytes = 0;
    let uploadId: string | undefined;
    const parts: { PartNumber: number; ETag: string }[] = [];
    let sending: Promise<void> = Promise.resolve();
    const sendPart = async () => {
      const Body = Buffer.concat(buffered, bytes);
      buffered = [];
      bytes = 0;
      uploadId ??= (await this.client.send(new CreateMultipartUploadCommand({ Bucket, Key: key }))).UploadId!;
      const PartNumber = parts.length + 1;
      parts.push({ PartNumber, ETag: "" });
      await sending; // one part in flight while the next one fills
      sending = this.client
        .send(new UploadPartCommand({ Bucket, Key: key, UploadId: uploadId, PartNumber, Body, ContentLength: Body.byteLength }))
        .then((res) => void (parts[PartNumber - 1]!.ETag = res.ETag!));
      sending.catch(() => {}); // awaited below; this only keeps a failure from going unhandled meanwhile
    };
    try {
      for await (const chunk of source) {
        buffered.push(chunk);
        bytes += chunk.byteLength;
        if (bytes >= PART_BYTES) await sendPart();
      }
      if (uploadId === undefined) {
        const Body = Buffer.concat(buffered, bytes);
        await this.client.send(new PutObjectCommand({ Bucket, Key: key, Body, ContentLength: Body.byteLength }));
        return;
      }
      if (bytes > 0) await sendPart();
      await sending;
      await this.client.send(
        new CompleteMultipartUploadCommand({ Bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts } }),
      );
    } catch (err) {
      await sending.catch(() => {});
      if (uploadId !== undefined) {
        await this.client.send(new AbortMultipartUploadCommand({ Bucket, Key: key, UploadId: uploadId })).catch(() => {});
      }
      throw err;
    }
  }

  async appendPart(id: string, part: UploadPart): Promise<void> {
    const before = await this.readState(id);
    const after = withPiece(before, part.name, part.offset + part.size - pieceStart(part.name));
    await this.writeState(id, after);
    const named = new Set(after.pieces.map((p) => p.name));
    await Promise.all(before.pieces.filter((p) => !named.has(p.name)).map((p) => this.deleteKey(this.uploadKey(id, p.name))));
  }

  async releasePart(id: string, part: UploadPart): Promise<void> {
    const state = await this.readState(id);
    if (state.pieces.some((p) => p.name === part.name)) return;
    await this.deleteKey(this.uploadKey(id, part.name));
  }

  async *readUpload(id: string, length: number): AsyncIterable<Uint8Array> {
    if (length === 0) return;
    yield* this.readSpan(id, await this.readState(id), 0, length);
  }

  async flushUpload(): Promise<void> {
    // An object S3 acknowledged is stored: nothing to flush.
  }

  async commitUpload(id: string, size: number, digest: string): Promise<void> {
    const Bucket = this.options.bucket;
    const Key = this.blobKey(digest);
    if (size === 0) {
      await this.client.send(new PutObjectCommand({ Bucket, Key, Body: new Uint8Array(), ContentLength: 0 }));
      return;
    }
    const state = await this.readState(id);
    const pieces = spans(state, 0, size);
    const [only] = pieces;
    if (pieces.length === 1 && only!.start === 0 && only!.end === only!.piece.size - 1 && size <= MAX_COPY_BYTES) {
      await this.client.send(new CopyObjectCommand({ Bucket, Key, CopySource: this.copySource(id, only!.piece) }));
      return;
    }
    await this.copyParts(id, Key, pieces);
  }

  private copySource(id: string, piece: Piece): string {
    return encodeURI(`${this.options.bucket}/${this.uploadKey(id, piece.name)}`);
  }

  /**
   * Assembles the blob from piece ranges as the parts of a multipart upload: copied by the
   * server (UploadPartCopy), or read and sent again where the server does not implement it.
   */
  private async copyParts(id: string, Key: string, pieces: ReturnType<typeof spans>): Promise<void> {
    const Bucket = this.options.bucket;
    const { UploadId } = await this.client.send(new CreateMultipartUploadCommand({ Bucket, Key }));
    try {
      const ranges = pieces.flatMap(({ piece, start, end }) => {
        const out: { piece: Piece; start: number; end: number }[] = [];
        for (let at = start; at <= end; at += MAX_COPY_BYTES) out.push({ piece, start: at, end: Math.min(end, at + MAX_COPY_BYTES - 1) });
        return out;
      });
      const Parts: { PartNumber: number; ETag: string }[] = [];
      const copyPart = async (i: number) => {
        const range = ranges[i]!;
        const PartNumber = i + 1;
        const source = { CopySource: this.copySource(id, range.piece), CopySourceRange: `bytes=${range.start}-${range.end}` };
        if (this.copiesParts !== false) {
          try {
            const res = await this.client.send(new UploadPartCopyCommand({ Bucket, Key, UploadId, PartNumber, ...source }));
            this.copiesParts = true;
            return (Parts[i] = { PartNumber, ETag: res.CopyPartResult!.ETag! });
          } catch (err) {
            if (!notImplemented(err)) throw err;
            this.copiesParts = false;
          }
        }
        const Body = await this.getObject(this.uploadKey(id, range.piece.name), range);
        const ContentLength = range.end - range.start + 1;
        const res = await this.client.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber, Body, ContentLength }));
        return (Parts[i] = { PartNumber, ETag: res.ETag! });
      };
      // The first part alone (it finds out whether the server copies parts), then a few at a time.
      await copyPart(0);
      let next = 1;
      const worker = async () => {
        while (next < ranges.length) await copyPart(next++);
      };
      await Promise.all(Array.from({ length: COPY_CONCURRENCY }, worker));
      await this.client.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts } }));
    } catch (err) {
      await this.client.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId })).catch(() => {});
      throw err;
    }
  }

  async deleteUpload(id: string): Promise<void> {
    const Bucket = this.options.bucket;
    const Prefix = this.uploadKey(id, "");
    let ContinuationToken: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket, Prefix, ContinuationToken }));
      await Promise.all((page.Contents ?? []).map((o) => this.deleteKey(o.Key!)));
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken);
  }

  private async deleteKey(Key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key }));
  }

  async stat(digest: string): Promise<number | null> {
    try {
      const res = await this.client.send(new HeadObjectCommand({ Bucket: this.options.bucket, Key: this.blobKey(digest) }));
      return res.ContentLength ?? null;
    } catch (err) {
      if (notFound(err)) return null;
      throw err;
    }
  }

  read(digest: string, range?: ByteRange): Promise<Readable> {
    return this.getObject(this.blobKey(digest), range);
  }

  async delete(digest: string): Promise<void> {
    await this.deleteKey(this.blobKey(digest));
  }

  async redirectUrl(digest: string, now: Date): Promise<string | undefined> {
    if (!this.options.presignedRedirects) return undefined;
    const credentials = await this.client.config.credentials();
    return presignGet(this.options, credentials, this.blobKey(digest), PRESIGNED_SECONDS, now);
  }
}
