// Helpers the orderings share: numbers compared by value whatever their length, plain text
// order, and the rule for text that is not a version of the ecosystem at all.

export const isDigit = (char: string | undefined): boolean => char !== undefined && char >= "0" && char <= "9";

/** Compares two runs of digits by value (leading zeros ignored, no size limit). */
export function compareDigitRuns(a: string, b: string): number {
  const x = a.replace(/^0+/, "");
  const y = b.replace(/^0+/, "");
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return compareStrings(x, y);
}

/** Plain code-unit order, as C's strcmp on ASCII. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Orders two parse results, text that is not a version first (then by its text). */
export function compareParsedOrText<T>(
  a: string,
  b: string,
  parse: (version: string) => T | undefined,
  compare: (x: T, y: T) => number,
): number {
  const x = parse(a);
  const y = parse(b);
  if (x !== undefined && y !== undefined) return compare(x, y);
  if (x === undefined && y === undefined) return compareStrings(a, b);
  return x === undefined ? -1 : 1;
}
