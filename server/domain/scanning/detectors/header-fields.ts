// "Key: value" header blocks as Python's core metadata (METADATA, PKG-INFO) and Java's
// MANIFEST.MF write them: fields up to the first blank line, a line starting with a space or tab
// continuing the one before it.

/** The header block's fields, keys lower-cased, the first of a repeated key kept. */
export function headerFields(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  let key: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (line === "") break;
    if (line.startsWith(" ") || line.startsWith("\t")) {
      // MANIFEST.MF wraps at 72 bytes with one leading space that is not part of the value.
      if (key !== undefined && fields.has(key)) fields.set(key, fields.get(key)! + line.slice(1));
      continue;
    }
    const colon = line.indexOf(":");
    if (colon <= 0) {
      key = undefined;
      continue;
    }
    key = line.slice(0, colon).trim().toLowerCase();
    if (!fields.has(key)) fields.set(key, line.slice(colon + 1).trimStart());
    else key = undefined;
  }
  for (const [name, value] of fields) fields.set(name, value.trim());
  return fields;
}
