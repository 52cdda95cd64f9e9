// Duplicate keys make JSON ambiguous: JSON.parse keeps the last, other parsers the first, and Go
// (docker, containerd, podman) matches struct fields regardless of case. A manifest whose digest
// covers bytes that two readers understand differently is an attack on a registry, so such
// documents are refused rather than resolved.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

/**
 * A key as Go's encoding/json compares it to a field name: case folded, and lone surrogates
 * (which Go decodes as U+FFFD) made equal. Folding more than Go does only refuses more.
 */
const folded = (key: string) => key.replace(/\p{Cs}/gu, "\uFFFD").toLowerCase().toUpperCase();

/**
 * The first key that repeats within one object of `json` (compared as decoded and case-folded
 * strings), or undefined. `json` must already be known to be valid JSON (JSON.parse accepted it).
 */
export function duplicateKey(json: string): string | undefined {
  // One entry per open container: the keys seen so far in an object, null for an array.
  const open: (Set<string> | null)[] = [];
  let atKey = false;
  for (let i = 0; i < json.length; i++) {
    const ch = json.charCodeAt(i);
    if (ch === QUOTE) {
      let end = i + 1;
      while (json.charCodeAt(end) !== QUOTE) end += json.charCodeAt(end) === BACKSLASH ? 2 : 1;
      const keys = open.at(-1);
      if (atKey && keys) {
        const key = JSON.parse(json.slice(i, end + 1)) as string;
        if (keys.has(folded(key))) return key;
        keys.add(folded(key));
        atKey = false;
      }
      i = end;
    } else if (ch === OPEN_OBJECT) {
      open.push(new Set());
      atKey = true;
    } else if (ch === OPEN_ARRAY) {
      open.push(null);
    } else if (ch === CLOSE_OBJECT || ch === CLOSE_ARRAY) {
      open.pop();
    } else if (ch === COMMA) {
      atKey = open.at(-1) instanceof Set;
    }
  }
  return undefined;
}
