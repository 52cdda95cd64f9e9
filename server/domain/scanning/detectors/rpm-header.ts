// An rpm package header as rpm's database stores it: an index of (tag, type, offset, count)
// entries followed by the data they point into, all big-endian. Only the tags naming the package
// are read.

export class RpmHeaderError extends Error {}

export const RPMTAG = {
  NAME: 1000,
  VERSION: 1001,
  RELEASE: 1002,
  EPOCH: 1003,
  ARCH: 1022,
  SOURCERPM: 1044,
} as const;

const TYPE_INT32 = 4;
const TYPE_STRING = 6;
const TYPE_STRING_ARRAY = 8;
const TYPE_I18NSTRING = 9;
/** A header read from a package file starts with this magic; the database's copy usually does not. */
const HEADER_MAGIC = [0x8e, 0xad, 0xe8];

export interface RpmHeader {
  strings: Map<number, string>;
  ints: Map<number, number>;
}

const utf8 = new TextDecoder();

export function parseRpmHeader(blob: Uint8Array): RpmHeader {
  const start = HEADER_MAGIC.every((byte, i) => blob[i] === byte) ? 8 : 0;
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  if (blob.length < start + 8) throw new RpmHeaderError("rpm header too short");
  const entries = view.getUint32(start);
  const dataLength = view.getUint32(start + 4);
  const dataStart = start + 8 + entries * 16;
  if (dataStart + dataLength > blob.length) throw new RpmHeaderError("rpm header index or data runs past its end");
  const wanted = new Set<number>(Object.values(RPMTAG));
  const header: RpmHeader = { strings: new Map(), ints: new Map() };
  for (let i = 0; i < entries; i++) {
    const entry = start + 8 + i * 16;
    const tag = view.getUint32(entry);
    if (!wanted.has(tag)) continue;
    const type = view.getUint32(entry + 4);
    const offset = view.getInt32(entry + 8);
    if (offset < 0 || offset >= dataLength) throw new RpmHeaderError(`rpm header tag ${tag} points outside its data`);
    const at = dataStart + offset;
    if (type === TYPE_INT32) {
      if (offset + 4 > dataLength) throw new RpmHeaderError(`rpm header tag ${tag} points outside its data`);
      header.ints.set(tag, view.getUint32(at));
    } else if (type === TYPE_STRING || type === TYPE_STRING_ARRAY || type === TYPE_I18NSTRING) {
      // Arrays and translated strings: the first one.
      const end = blob.indexOf(0, at);
      if (end === -1 || end > dataStart + dataLength) throw new RpmHeaderError(`rpm header tag ${tag} is not terminated`);
      header.strings.set(tag, utf8.decode(blob.subarray(at, end)));
    }
  }
  return header;
}
