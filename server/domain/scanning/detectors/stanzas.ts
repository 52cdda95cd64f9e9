// Package databases written as paragraphs of "Field: value" lines (dpkg's status files) or of
// "K:value" lines (apk's installed database), one package per paragraph.

/** Paragraphs separated by blank lines, each a list of its lines (continuations kept as lines). */
export function paragraphs(text: string): string[][] {
  const out: string[][] = [];
  let current: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === "") {
      if (current.length > 0) out.push(current);
      current = [];
    } else current.push(line);
  }
  if (current.length > 0) out.push(current);
  return out;
}

export const utf8 = new TextDecoder();
