// Debian package version ordering (deb-version(7)): `[epoch:]upstream[-revision]`, compared
// epoch first (numerically), then upstream, then revision, each with dpkg's verrevcmp.
import { compareDigitRuns, isDigit } from "./compare.ts";

/** A character's weight in a non-digit run: `~` sorts before everything, even the end; letters before other symbols. */
function weight(char: string | undefined): number {
  if (char === undefined) return 0;
  if (char === "~") return -1;
  if (/[A-Za-z]/.test(char)) return char.charCodeAt(0);
  return char.charCodeAt(0) + 256;
}

/** dpkg's verrevcmp: alternating non-digit runs (by weight) and digit runs (by value). */
function verrevcmp(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while ((i < a.length && !isDigit(a[i])) || (j < b.length && !isDigit(b[j]))) {
      const wa = isDigit(a[i]) ? 0 : weight(a[i]);
      const wb = isDigit(b[j]) ? 0 : weight(b[j]);
      if (wa !== wb) return wa < wb ? -1 : 1;
      i++;
      j++;
    }
    const startA = i;
    const startB = j;
    while (isDigit(a[i])) i++;
    while (isDigit(b[j])) j++;
    const byValue = compareDigitRuns(a.slice(startA, i), b.slice(startB, j));
    if (byValue !== 0) return byValue;
  }
  return 0;
}

interface DpkgVersion {
  epoch: string;
  upstream: string;
  revision: string;
}

/** Splits at the first colon (epoch) and the last hyphen (revision); a missing epoch is 0. */
export function parseDpkgVersion(version: string): DpkgVersion {
  const text = version.trim();
  const colon = text.indexOf(":");
  const hasEpoch = colon > 0 && /^\d+$/.test(text.slice(0, colon));
  const epoch = hasEpoch ? text.slice(0, colon) : "0";
  const rest = hasEpoch ? text.slice(colon + 1) : text;
  const hyphen = rest.lastIndexOf("-");
  return hyphen >= 0
    ? { epoch, upstream: rest.slice(0, hyphen), revision: rest.slice(hyphen + 1) }
    : { epoch, upstream: rest, revision: "" };
}

export function compareDpkg(a: string, b: string): number {
  const x = parseDpkgVersion(a);
  const y = parseDpkgVersion(b);
  return compareDigitRuns(x.epoch, y.epoch) || verrevcmp(x.upstream, y.upstream) || verrevcmp(x.revision, y.revision);
}
