// How an S3 upload session's bytes are laid out, as pure functions over its state object. Each
// request writes its bytes (after the carried tail, see `carryFrom`) as one new object of its
// own, a "piece"; appending it rewrites the session's state to name it. Pieces are never changed
// after they are written, so a racing or late request can only ever add an unnamed object,
// never alter the named ones. Every piece but the last is at least S3's minimum part size, so
// that a commit can assemble the blob from them as parts of a multipart upload.

/** S3's smallest part of a multipart upload (all but the last). */
export const MIN_PART_BYTES = 5 * 1024 * 1024;

export interface Piece {
  /** `<start>-<uuid>`: the object's name under the session's folder. */
  name: string;
  /** Where the piece's bytes start in the upload. */
  start: number;
  size: number;
}

/** The session's state object: its pieces in order, from byte 0 on without gaps. */
export interface SessionState {
  pieces: Piece[];
}

export const pieceName = (start: number, uuid: string) => `${start}-${uuid}`;

export function pieceStart(name: string): number {
  const m = /^(\d+)-[0-9a-f-]{36}$/.exec(name);
  if (!m) throw new Error(`bad upload piece ${name}`);
  return Number(m[1]);
}

const end = (piece: Piece) => piece.start + piece.size;

/**
 * The pieces a request writing from `offset` keeps as they are: the leading ones that end by
 * `offset` and are big enough to be parts. The bytes from their end to `offset` (a short
 * tail, or what a lost request left) are carried: read and written again ahead of the new bytes.
 */
export function keptPieces(state: SessionState, offset: number): Piece[] {
  const kept: Piece[] = [];
  for (const piece of state.pieces) {
    if (end(piece) > offset || piece.size < MIN_PART_BYTES) break;
    kept.push(piece);
  }
  return kept;
}

export const carryFrom = (state: SessionState, offset: number) => {
  const kept = keptPieces(state, offset);
  return kept.length > 0 ? end(kept[kept.length - 1]!) : 0;
};

/** Byte ranges (inclusive ends) of pieces that hold `[from, to)`; throws when they do not reach `to`. */
export function spans(state: SessionState, from: number, to: number): { piece: Piece; start: number; end: number }[] {
  const out: { piece: Piece; start: number; end: number }[] = [];
  let at = from;
  for (const piece of state.pieces) {
    if (at >= to) break;
    if (end(piece) <= at) continue;
    if (piece.start > at) break;
    const last = Math.min(end(piece), to);
    out.push({ piece, start: at - piece.start, end: last - piece.start - 1 });
    at = last;
  }
  if (at < to) throw new Error(`upload holds ${at} bytes, ${to} needed`);
  return out;
}

/** The state once the piece `name` of `size` bytes is appended (it replaces what it carried). */
export function withPiece(state: SessionState, name: string, size: number): SessionState {
  const start = pieceStart(name);
  const kept = keptPieces(state, start);
  if ((kept.length > 0 ? end(kept[kept.length - 1]!) : 0) !== start) {
    throw new Error(`upload piece ${name} does not follow the session's kept bytes`);
  }
  return { pieces: [...kept, { name, start, size }] };
}
