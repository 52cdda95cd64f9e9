// Python package version ordering (PEP 440): `[N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local]`,
// with the spellings PEP 440 normalizes (alpha, beta, c, pre, preview, rev, r, `-N` as a
// post-release, optional separators and numbers, a leading `v`, any case). Order: epoch,
// release (trailing zeros ignored), then dev-only releases < pre-releases < the release <
// post-releases, a dev release before what it develops, and a local version after its public one.
// Text that is no PEP 440 version sorts below every version.
import { compareDigitRuns, compareParsedOrText, compareStrings } from "./compare.ts";

const PEP440 = new RegExp(
  "^v?(?:(\\d+)!)?(\\d+(?:\\.\\d+)*)" +
    "(?:[-_.]?(alpha|a|beta|b|preview|pre|c|rc)[-_.]?(\\d+)?)?" +
    "(?:-(\\d+)|[-_.]?(post|rev|r)[-_.]?(\\d+)?)?" +
    "(?:[-_.]?(dev)[-_.]?(\\d+)?)?" +
    "(?:\\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?$",
  "i",
);

/** Pre-release kinds in order: a < b < rc. */
const PRE_RANK: Record<string, number> = { alpha: 0, a: 0, beta: 1, b: 1, c: 2, pre: 2, preview: 2, rc: 2 };

export interface Pep440Version {
  epoch: string;
  release: string[];
  pre?: { rank: number; number: string };
  post?: string;
  dev?: string;
  local?: string[];
}

export function parsePep440(version: string): Pep440Version | undefined {
  const match = PEP440.exec(version.trim());
  if (!match) return undefined;
  const [, epoch, release, preLabel, preNumber, postImplicit, postLabel, postNumber, devLabel, devNumber, local] = match;
  const segments = release!.split(".");
  while (segments.length > 1 && /^0+$/.test(segments[segments.length - 1]!)) segments.pop();
  return {
    epoch: epoch ?? "0",
    release: segments,
    pre: preLabel ? { rank: PRE_RANK[preLabel.toLowerCase()]!, number: preNumber ?? "0" } : undefined,
    post: postImplicit ?? (postLabel ? (postNumber ?? "0") : undefined),
    dev: devLabel ? (devNumber ?? "0") : undefined,
    local: local?.toLowerCase().split(/[-_.]/),
  };
}

function compareRelease(x: string[], y: string[]): number {
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const order = compareDigitRuns(x[i] ?? "0", y[i] ?? "0");
    if (order !== 0) return order;
  }
  return 0;
}

/** Where a version stands around its release: a dev release of it (-1), a pre-release (0), the release or later (1). */
function phase(v: Pep440Version): number {
  if (v.pre) return 0;
  return v.dev !== undefined && v.post === undefined ? -1 : 1;
}

/** Compares optional numbers, a missing one sorting as `missing` says. */
function compareOptional(x: string | undefined, y: string | undefined, missing: "first" | "last"): number {
  if (x === undefined || y === undefined) {
    if (x === y) return 0;
    return (x === undefined) === (missing === "first") ? -1 : 1;
  }
  return compareDigitRuns(x, y);
}

/** Local segments in turn: numbers by value and above words, words alphabetically, fewer segments first. */
function compareLocal(x: string[] | undefined, y: string[] | undefined): number {
  if (x === undefined || y === undefined) return x === y ? 0 : x === undefined ? -1 : 1;
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const a = x[i]!;
    const b = y[i]!;
    const numericA = /^\d+$/.test(a);
    const numericB = /^\d+$/.test(b);
    const order = numericA && numericB ? compareDigitRuns(a, b) : numericA !== numericB ? (numericA ? 1 : -1) : compareStrings(a, b);
    if (order !== 0) return order;
  }
  return Math.sign(x.length - y.length);
}

export function compareParsedPep440(x: Pep440Version, y: Pep440Version): number {
  return (
    compareDigitRuns(x.epoch, y.epoch) ||
    compareRelease(x.release, y.release) ||
    Math.sign(phase(x) - phase(y)) ||
    (x.pre && y.pre ? Math.sign(x.pre.rank - y.pre.rank) || compareDigitRuns(x.pre.number, y.pre.number) : 0) ||
    compareOptional(x.post, y.post, "first") ||
    compareOptional(x.dev, y.dev, "last") ||
    compareLocal(x.local, y.local)
  );
}

export function comparePep440(a: string, b: string): number {
  return compareParsedOrText(a, b, parsePep440, compareParsedPep440);
}
