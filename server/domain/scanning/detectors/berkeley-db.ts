// Reads the values of a Berkeley DB hash database held in memory: the format of rpm's database
// before rpm 4.16 (var/lib/rpm/Packages on RHEL/CentOS 7 and 8, Amazon Linux 2, UBI 8). Every
// hash page is visited in page order; values stored on overflow pages (package headers always
// are, being larger than a page's share) are gathered from their page chains. Values small
// enough to sit on the hash page are returned too.

export class BerkeleyDbError extends Error {}

const HASH_MAGIC = 0x061561;
const PAGE_HEADER = 26;
const P_HASH_UNSORTED = 2;
const P_HASH = 13;
const H_KEYDATA = 1;
const H_OFFPAGE = 3;

export function* berkeleyDbHashValues(bytes: Uint8Array): Generator<Uint8Array> {
  if (bytes.length < 512) throw new BerkeleyDbError("not a Berkeley DB hash database");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // Written in the host's byte order: the magic number says which.
  const little = view.getUint32(12, true) === HASH_MAGIC;
  if (!little && view.getUint32(12, false) !== HASH_MAGIC) throw new BerkeleyDbError("not a Berkeley DB hash database");
  const u16 = (at: number) => view.getUint16(at, little);
  const u32 = (at: number) => view.getUint32(at, little);
  const pageSize = u32(20);
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) throw new BerkeleyDbError("invalid Berkeley DB page size");
  const pageCount = Math.min(u32(32) + 1, Math.floor(bytes.length / pageSize));

  const overflow = (first: number, length: number): Uint8Array => {
    const out = new Uint8Array(length);
    let at = 0;
    for (let page = first, hops = 0; at < length; hops++) {
      if (page === 0 || page >= pageCount || hops > pageCount) throw new BerkeleyDbError("broken Berkeley DB overflow chain");
      const start = page * pageSize;
      // On an overflow page the "free area offset" field holds the length of its data.
      const piece = bytes.subarray(start + PAGE_HEADER, start + PAGE_HEADER + Math.min(u16(start + 22), length - at));
      out.set(piece, at);
      at += piece.length;
      page = u32(start + 16);
    }
    return out;
  };

  for (let page = 1; page < pageCount; page++) {
    const start = page * pageSize;
    const type = bytes[start + 25];
    if (type !== P_HASH && type !== P_HASH_UNSORTED) continue;
    const entries = u16(start + 20);
    const offsets = Array.from({ length: entries }, (_, i) => u16(start + PAGE_HEADER + 2 * i));
    // Items alternate key, value; items are packed from the page's end, each ending where the one before it starts.
    for (let i = 1; i < entries; i += 2) {
      const item = start + offsets[i]!;
      const itemEnd = start + offsets[i - 1]!;
      if (bytes[item] === H_OFFPAGE) yield overflow(u32(item + 4), u32(item + 8));
      else if (bytes[item] === H_KEYDATA && itemEnd > item) yield bytes.subarray(item + 1, itemEnd);
    }
  }
}
