// Alpine package version ordering, as apk-tools 2 compares: `1.2.3a_rc1_p2-r4` is read as a
// sequence of tokens (numbers, a letter, suffixes, the `-r` revision) compared in turn. Pre-release
// suffixes (_alpha, _beta, _pre, _rc) sort before the bare version, post-release ones (_cvs, _svn,
// _git, _hg, _p) after it. A number after a dot with leading zeros sorts below any plain number
// there (1.01 < 1.1), as apk does.
import { isDigit } from "./compare.ts";

// Token kinds in apk's order; at the first difference in kind, the kind decides.
const Kind = { Invalid: -1, DigitOrZero: 0, Digit: 1, Letter: 2, Suffix: 3, SuffixNumber: 4, Revision: 5, End: 6 } as const;
type Kind = (typeof Kind)[keyof typeof Kind];

const PRE_SUFFIXES = ["alpha", "beta", "pre", "rc"];
const POST_SUFFIXES = ["cvs", "svn", "git", "hg", "p"];

const isLower = (char: string | undefined): boolean => char !== undefined && char >= "a" && char <= "z";

/** Token values are numbers of any length (bigint), so long date-like versions compare right. */
function compareNumbers(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

class Tokens {
  kind: Kind = Kind.Digit;
  private at = 0;
  constructor(private readonly text: string) {}

  private get rest(): number {
    return this.text.length - this.at;
  }

  /** Decides the next token's kind from the separator at the cursor (consuming it). */
  private advanceKind(): void {
    const char = this.text[this.at];
    let next: Kind = Kind.Invalid;
    if (this.rest === 0) next = Kind.End;
    else if ((this.kind === Kind.Digit || this.kind === Kind.DigitOrZero) && isLower(char)) next = Kind.Letter;
    else if (this.kind === Kind.Letter && isDigit(char)) next = Kind.Digit;
    else if (this.kind === Kind.Suffix && isDigit(char)) next = Kind.SuffixNumber;
    else {
      if (char === ".") next = Kind.DigitOrZero;
      else if (char === "_") next = Kind.Suffix;
      else if (char === "-" && this.text[this.at + 1] === "r") {
        next = Kind.Revision;
        this.at++;
      }
      this.at++;
    }
    // Tokens only move forward in kind, but for these three repeatable steps.
    const allowedBack =
      (next === Kind.DigitOrZero && this.kind === Kind.Digit) ||
      (next === Kind.Suffix && this.kind === Kind.SuffixNumber) ||
      (next === Kind.Digit && this.kind === Kind.Letter);
    this.kind = next < this.kind && !allowedBack ? Kind.Invalid : next;
  }

  /** Reads the token of the current kind and its value, then moves to the next kind. */
  take(): bigint {
    const value = this.value();
    if (this.kind === Kind.Invalid) return value;
    if (this.rest === 0) this.kind = Kind.End;
    else if (this.afterZeros) this.kind = Kind.Digit;
    else this.advanceKind();
    return value;
  }

  /** Set when a component's leading zeros were read: its digits follow as an ordinary number. */
  private afterZeros = false;

  private value(): bigint {
    const start = this.at;
    this.afterZeros = false;
    if (this.kind === Kind.DigitOrZero && this.text[this.at] === "0") {
      // A component with leading zeros is worth minus their count, below any plain number.
      while (this.text[this.at] === "0") this.at++;
      this.afterZeros = true;
      return BigInt(start - this.at);
    }
    switch (this.kind) {
      case Kind.DigitOrZero:
      case Kind.Digit:
      case Kind.SuffixNumber:
      case Kind.Revision:
        while (isDigit(this.text[this.at])) this.at++;
        return this.at > start ? BigInt(this.text.slice(start, this.at)) : 0n;
      case Kind.Letter:
        this.at++;
        return BigInt(this.text.charCodeAt(start));
      case Kind.Suffix: {
        const rest = this.text.slice(this.at);
        const pre = PRE_SUFFIXES.findIndex((suffix) => rest.startsWith(suffix));
        if (pre >= 0) {
          this.at += PRE_SUFFIXES[pre]!.length;
          return BigInt(pre - PRE_SUFFIXES.length);
        }
        const post = POST_SUFFIXES.findIndex((suffix) => rest.startsWith(suffix));
        if (post >= 0) {
          this.at += POST_SUFFIXES[post]!.length;
          return BigInt(post);
        }
        this.kind = Kind.Invalid;
        return -1n;
      }
      default:
        this.kind = Kind.Invalid;
        return -1n;
    }
  }
}

export function compareApk(a: string, b: string): number {
  const x = new Tokens(a.trim());
  const y = new Tokens(b.trim());
  let xv = 0n;
  let yv = 0n;
  while (x.kind === y.kind && x.kind !== Kind.End && x.kind !== Kind.Invalid && xv === yv) {
    xv = x.take();
    yv = y.take();
  }
  const byValue = compareNumbers(xv, yv);
  if (byValue !== 0) return byValue;
  if (x.kind === y.kind) return 0;
  // Equal so far: the longer version is newer, unless what follows is a pre-release suffix.
  const xKind = x.kind;
  const yKind = y.kind;
  if (xKind === Kind.Suffix && x.take() < 0n) return -1;
  if (yKind === Kind.Suffix && y.take() < 0n) return 1;
  return xKind > yKind ? -1 : xKind < yKind ? 1 : 0;
}
