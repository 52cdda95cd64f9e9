// Maven version ordering (Maven 3's ComparableVersion): the version is split at `.` and `-` and
// between digits and letters into items, a `-` (or a letter/digit switch) opening a nested list.
// Numbers compare by value and are newer than qualifiers; known qualifiers order
// alpha < beta < milestone < rc < snapshot < release < sp (a, b, m right before a digit are
// alpha, beta, milestone; ga, final and release mean the release; cr means rc); unknown
// qualifiers come after them all, alphabetically. Trailing zeros and release qualifiers do not
// count (1 = 1.0 = 1-ga), and a missing item compares as the release.
import { compareDigitRuns, compareStrings, isDigit } from "./compare.ts";

type Item = { kind: "number"; value: string } | { kind: "qualifier"; value: string } | { kind: "list"; items: Item[] };

const QUALIFIERS = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];
const ALIASES: Record<string, string> = { ga: "", final: "", release: "", cr: "rc" };
const SHORT_BEFORE_DIGIT: Record<string, string> = { a: "alpha", b: "beta", m: "milestone" };
/** Where the release itself stands among the qualifiers. */
const RELEASE_RANK = QUALIFIERS.indexOf("");

/** Known qualifiers by their rank; unknown ones after them, by name. */
function qualifierKey(value: string): string {
  const rank = QUALIFIERS.indexOf(value);
  return rank >= 0 ? String(rank) : `${QUALIFIERS.length}-${value}`;
}

function qualifier(text: string, followedByDigit: boolean): Item {
  const expanded = followedByDigit && text.length === 1 ? (SHORT_BEFORE_DIGIT[text] ?? text) : text;
  return { kind: "qualifier", value: ALIASES[expanded] ?? expanded };
}

function isNull(item: Item): boolean {
  if (item.kind === "number") return /^0*$/.test(item.value);
  if (item.kind === "qualifier") return item.value === "";
  return item.items.length === 0;
}

/** Drops trailing null items (zeros, release qualifiers, empty lists) up to the last nested list. */
function normalize(list: Item[]): void {
  for (let i = list.length - 1; i >= 0; i--) {
    const item = list[i]!;
    if (isNull(item)) list.splice(i, 1);
    else if (item.kind !== "list") break;
  }
}

export function parseMaven(version: string): Item[] {
  const text = version.trim().toLowerCase();
  const root: Item[] = [];
  const lists: Item[][] = [root];
  let list = root;
  let digits = false;
  let start = 0;
  const openList = (): void => {
    const nested: Item[] = [];
    list.push({ kind: "list", items: nested });
    lists.push(nested);
    list = nested;
  };
  const item = (end: number, followedByDigit = false): Item =>
    digits ? { kind: "number", value: text.slice(start, end) } : qualifier(text.slice(start, end), followedByDigit);
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (char === "." || char === "-") {
      list.push(i === start ? { kind: "number", value: "0" } : item(i));
      start = i + 1;
      if (char === "-") openList();
    } else if (isDigit(char)) {
      if (!digits && i > start) {
        list.push(item(i, true));
        start = i;
        openList();
      }
      digits = true;
    } else {
      if (digits && i > start) {
        list.push(item(i));
        start = i;
        openList();
      }
      digits = false;
    }
  }
  if (text.length > start) list.push(item(text.length));
  for (const each of lists.reverse()) normalize(each);
  return root;
}

/** Compares an item with a missing one (the other version ended): as the release would. */
function compareWithMissing(item: Item): number {
  if (item.kind === "number") return isNull(item) ? 0 : 1;
  if (item.kind === "qualifier") return Math.sign(compareStrings(qualifierKey(item.value), String(RELEASE_RANK)));
  for (const each of item.items) {
    const order = compareWithMissing(each);
    if (order !== 0) return order;
  }
  return 0;
}

function compareItems(x: Item | undefined, y: Item | undefined): number {
  if (x === undefined) return y === undefined ? 0 : -compareWithMissing(y);
  if (y === undefined) return compareWithMissing(x);
  if (x.kind === "number") return y.kind === "number" ? compareDigitRuns(x.value, y.value) : 1;
  if (x.kind === "qualifier") {
    if (y.kind === "qualifier") return compareStrings(qualifierKey(x.value), qualifierKey(y.value));
    return -1;
  }
  if (y.kind === "number") return -1;
  if (y.kind === "qualifier") return 1;
  return compareLists(x.items, y.items);
}

function compareLists(x: Item[], y: Item[]): number {
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const order = compareItems(x[i], y[i]);
    if (order !== 0) return order;
  }
  return 0;
}

export function compareMaven(a: string, b: string): number {
  return compareLists(parseMaven(a), parseMaven(b));
}
