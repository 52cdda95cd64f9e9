// RPM version ordering: `[epoch:]version[-release]`, epoch first (numerically), then version and
// release with rpmvercmp — alphanumeric runs compared in turn (numbers by value, and newer than
// letters), separators ignored, `~` sorting before anything (pre-releases) and `^` after the
// version but before anything longer (snapshots). A missing release sorts before any release.
import { compareDigitRuns, compareStrings, isDigit } from "./compare.ts";

const isAlpha = (char: string | undefined): boolean => char !== undefined && /[A-Za-z]/.test(char);
const isAlnum = (char: string | undefined): boolean => isDigit(char) || isAlpha(char);

export function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while (i < a.length && !isAlnum(a[i]) && a[i] !== "~" && a[i] !== "^") i++;
    while (j < b.length && !isAlnum(b[j]) && b[j] !== "~" && b[j] !== "^") j++;
    if (a[i] === "~" || b[j] === "~") {
      if (a[i] !== "~") return 1;
      if (b[j] !== "~") return -1;
      i++;
      j++;
      continue;
    }
    if (a[i] === "^" || b[j] === "^") {
      if (i >= a.length) return -1;
      if (j >= b.length) return 1;
      if (a[i] !== "^") return 1;
      if (b[j] !== "^") return -1;
      i++;
      j++;
      continue;
    }
    if (i >= a.length || j >= b.length) break;
    const numeric = isDigit(a[i]);
    const inRun = numeric ? isDigit : isAlpha;
    const startA = i;
    const startB = j;
    while (inRun(a[i])) i++;
    while (inRun(b[j])) j++;
    const runA = a.slice(startA, i);
    const runB = b.slice(startB, j);
    // Runs of different kinds: a number is newer than letters.
    if (runB === "") return numeric ? 1 : -1;
    const order = numeric ? compareDigitRuns(runA, runB) : compareStrings(runA, runB);
    if (order !== 0) return order;
  }
  if (i >= a.length && j >= b.length) return 0;
  return i < a.length ? 1 : -1;
}

interface Evr {
  epoch: string;
  version: string;
  release: string | undefined;
}

export function parseEvr(evr: string): Evr {
  const text = evr.trim();
  const colon = text.indexOf(":");
  const hasEpoch = colon > 0 && /^\d+$/.test(text.slice(0, colon));
  const rest = hasEpoch ? text.slice(colon + 1) : text;
  const hyphen = rest.lastIndexOf("-");
  return {
    epoch: hasEpoch ? text.slice(0, colon) : "0",
    version: hyphen >= 0 ? rest.slice(0, hyphen) : rest,
    release: hyphen >= 0 ? rest.slice(hyphen + 1) : undefined,
  };
}

export function compareRpm(a: string, b: string): number {
  const x = parseEvr(a);
  const y = parseEvr(b);
  const byEpochVersion = compareDigitRuns(x.epoch, y.epoch) || rpmvercmp(x.version, y.version);
  if (byEpochVersion !== 0) return byEpochVersion;
  if (x.release === undefined || y.release === undefined) {
    return x.release === y.release ? 0 : x.release === undefined ? -1 : 1;
  }
  return rpmvercmp(x.release, y.release);
}
