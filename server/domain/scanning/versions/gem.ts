// RubyGems version ordering (Gem::Version): runs of digits and of letters are segments; a
// letter makes a pre-release (1.0.a < 1.0), `-` is read as `.pre.`; trailing zeros before the
// letters and at the end do not count; numbers compare by value and are newer than letters,
// letters compare as text.
import { compareDigitRuns, compareParsedOrText, compareStrings } from "./compare.ts";

const GEM_VERSION = /^[0-9]+(?:\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

const isNumber = (segment: string): boolean => /^\d+$/.test(segment);

function dropTrailingZeros(segments: string[]): string[] {
  let end = segments.length;
  while (end > 0 && /^0+$/.test(segments[end - 1]!)) end--;
  return segments.slice(0, end);
}

/** Gem::Version's canonical segments: zeros dropped from the end of the numeric part and of the rest. */
export function parseGem(version: string): string[] | undefined {
  const text = version.trim();
  if (!GEM_VERSION.test(text)) return undefined;
  const segments = text.replaceAll("-", ".pre.").match(/[0-9]+|[a-z]+/gi) ?? [];
  const firstLetters = segments.findIndex((segment) => !isNumber(segment));
  if (firstLetters < 0) return dropTrailingZeros(segments);
  return [...dropTrailingZeros(segments.slice(0, firstLetters)), ...dropTrailingZeros(segments.slice(firstLetters))];
}

function compareParsedGem(x: string[], y: string[]): number {
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const a = x[i] ?? "0";
    const b = y[i] ?? "0";
    if (a === b) continue;
    const numberA = isNumber(a);
    const numberB = isNumber(b);
    if (numberA !== numberB) return numberA ? 1 : -1;
    const order = numberA ? compareDigitRuns(a, b) : compareStrings(a, b);
    if (order !== 0) return order;
  }
  return 0;
}

export function compareGem(a: string, b: string): number {
  return compareParsedOrText(a, b, parseGem, compareParsedGem);
}
