// Which upstream tags a mirror copies: Quay's `tag_glob_csv` rule, a list of shell-style globs
// matched as Python's fnmatch does (`*` any run, `?` one character, `[abc]` / `[!abc]` a set; the
// whole tag must match). Hand-written: the grammar is those four cases, and picomatch's path
// semantics (`/`, dotfiles, braces, extglobs) are not fnmatch's.

/** A regular expression matching exactly what `glob` matches. */
export function globPattern(glob: string): RegExp {
  let source = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*") source += ".*";
    else if (c === "?") source += ".";
    else if (c === "[") {
      // A `]` right after `[` or `[!` belongs to the set.
      let start = i + 1;
      if (glob[start] === "!") start++;
      if (glob[start] === "]") start++;
      const close = glob.indexOf("]", start);
      if (close === -1) {
        source += "\\[";
        continue;
      }
      let set = glob.slice(i + 1, close);
      const negated = set.startsWith("!");
      if (negated) set = set.slice(1);
      source += `[${negated ? "^" : ""}${set.replace(/[\\^\]]/g, "\\$&")}]`;
      i = close;
    } else source += c.replace(/[.+^${}()|\\\]]/g, "\\$&");
  }
  return new RegExp(`^${source}$`, "s");
}

/** The tags matching any of the globs, in the upstream's order. */
export function matchingTags(tags: readonly string[], globs: readonly string[]): string[] {
  const patterns = globs.map(globPattern);
  return tags.filter((tag) => patterns.some((p) => p.test(tag)));
}

/** Quay's form field: comma-separated globs, blanks dropped. */
export const parseGlobList = (text: string): string[] =>
  text
    .split(",")
    .map((g) => g.trim())
    .filter(Boolean);
