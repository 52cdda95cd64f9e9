// Reads the rows of one table out of a SQLite database file held in memory, following the
// documented file format (sqlite.org/fileformat.html): the schema table on page 1 gives the
// table's root page, whose b-tree is walked in rowid order, following overflow pages for large
// records. Just enough to read rpm's rpmdb.sqlite without a native or WebAssembly SQLite.

export type SqliteValue = null | number | bigint | string | Uint8Array;

export class SqliteError extends Error {}

const HEADER_MAGIC = "SQLite format 3\0";
const TABLE_INTERIOR = 0x05;
const TABLE_LEAF = 0x0d;
const utf8 = new TextDecoder();

interface Database {
  bytes: Uint8Array;
  view: DataView;
  pageSize: number;
  /** Page size less the bytes reserved at each page's end (for extensions). */
  usable: number;
  pageCount: number;
}

function open(bytes: Uint8Array): Database {
  if (bytes.length < 100 || utf8.decode(bytes.subarray(0, 16)) !== HEADER_MAGIC) throw new SqliteError("not a SQLite database");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const rawPageSize = view.getUint16(16);
  const pageSize = rawPageSize === 1 ? 65536 : rawPageSize;
  if (pageSize < 512 || (pageSize & (pageSize - 1)) !== 0) throw new SqliteError("invalid SQLite page size");
  if (view.getUint32(56) !== 1) throw new SqliteError("only UTF-8 SQLite databases are read");
  return { bytes, view, pageSize, usable: pageSize - bytes[20]!, pageCount: Math.floor(bytes.length / pageSize) };
}

function pageOffset(db: Database, page: number): number {
  if (page < 1 || page > db.pageCount) throw new SqliteError(`SQLite page ${page} is outside the file`);
  return (page - 1) * db.pageSize;
}

/** SQLite's big-endian variable-length integer: 1 to 9 bytes. */
function varint(bytes: Uint8Array, at: number): [value: number, length: number] {
  let value = 0;
  for (let i = 0; i < 8; i++) {
    const byte = bytes[at + i]!;
    value = value * 128 + (byte & 0x7f);
    if (!(byte & 0x80)) return [value, i + 1];
  }
  return [value * 256 + bytes[at + 8]!, 9];
}

/** A table b-tree cell's whole record payload, gathering the overflow chain when it spills. */
function payload(db: Database, cellStart: number): Uint8Array {
  const [size, sizeLength] = varint(db.bytes, cellStart);
  const [, rowidLength] = varint(db.bytes, cellStart + sizeLength);
  const start = cellStart + sizeLength + rowidLength;
  const maxLocal = db.usable - 35;
  if (size <= maxLocal) return db.bytes.subarray(start, start + size);
  const minLocal = Math.floor(((db.usable - 12) * 32) / 255) - 23;
  const spill = minLocal + ((size - minLocal) % (db.usable - 4));
  const local = spill <= maxLocal ? spill : minLocal;
  const out = new Uint8Array(size);
  out.set(db.bytes.subarray(start, start + local));
  let at = local;
  let next = db.view.getUint32(start + local);
  for (let hops = 0; at < size; hops++) {
    if (next === 0 || hops > db.pageCount) throw new SqliteError("broken SQLite overflow chain");
    const page = pageOffset(db, next);
    const piece = db.bytes.subarray(page + 4, page + 4 + Math.min(db.usable - 4, size - at));
    out.set(piece, at);
    at += piece.length;
    next = db.view.getUint32(page);
  }
  return out;
}

/** A record: a header of serial types, then the values they describe. */
function decodeRecord(record: Uint8Array): SqliteValue[] {
  const view = new DataView(record.buffer, record.byteOffset, record.byteLength);
  const [headerSize, first] = varint(record, 0);
  const types: number[] = [];
  for (let at = first; at < headerSize; ) {
    const [type, length] = varint(record, at);
    types.push(type);
    at += length;
  }
  const values: SqliteValue[] = [];
  let at = headerSize;
  for (const type of types) {
    if (type === 0) values.push(null);
    else if (type >= 1 && type <= 6) {
      const width = [1, 2, 3, 4, 6, 8][type - 1]!;
      if (width === 8) values.push(view.getBigInt64(at));
      else {
        let value = 0;
        for (let i = 0; i < width; i++) value = value * 256 + record[at + i]!;
        // Two's complement of the width read.
        if (record[at]! & 0x80) value -= 2 ** (8 * width);
        values.push(value);
      }
      at += width;
    } else if (type === 7) {
      values.push(view.getFloat64(at));
      at += 8;
    } else if (type === 8 || type === 9) values.push(type - 8);
    else if (type >= 12) {
      const length = Math.floor((type - 12) / 2);
      const bytes = record.subarray(at, at + length);
      values.push(type % 2 === 0 ? bytes : utf8.decode(bytes));
      at += length;
    } else throw new SqliteError(`reserved SQLite serial type ${type}`);
  }
  return values;
}

/** Every record of the table b-tree rooted at `root`, in rowid order. */
function* tableRecords(db: Database, root: number, depth = 0): Generator<SqliteValue[]> {
  if (depth > 64) throw new SqliteError("SQLite b-tree too deep (a loop?)");
  const page = pageOffset(db, root);
  const header = root === 1 ? page + 100 : page;
  const kind = db.bytes[header];
  const cells = db.view.getUint16(header + 3);
  const pointers = header + (kind === TABLE_INTERIOR ? 12 : 8);
  if (kind !== TABLE_INTERIOR && kind !== TABLE_LEAF) throw new SqliteError(`SQLite page ${root} is not a table b-tree page`);
  for (let i = 0; i < cells; i++) {
    const cell = page + db.view.getUint16(pointers + 2 * i);
    if (kind === TABLE_INTERIOR) yield* tableRecords(db, db.view.getUint32(cell), depth + 1);
    else yield decodeRecord(payload(db, cell));
  }
  if (kind === TABLE_INTERIOR) yield* tableRecords(db, db.view.getUint32(header + 8), depth + 1);
}

/**
 * The rows of `table`, each its column values in declared order. A column declared
 * `INTEGER PRIMARY KEY` reads as null (SQLite keeps it as the rowid, which is not returned).
 */
export function* sqliteRows(bytes: Uint8Array, table: string): Generator<SqliteValue[]> {
  const db = open(bytes);
  // sqlite_schema columns: type, name, tbl_name, rootpage, sql.
  for (const [type, name, , rootpage] of tableRecords(db, 1)) {
    if (type === "table" && typeof name === "string" && name.toLowerCase() === table.toLowerCase() && typeof rootpage === "number") {
      yield* tableRecords(db, rootpage);
      return;
    }
  }
  throw new SqliteError(`no table ${table} in the SQLite database`);
}
