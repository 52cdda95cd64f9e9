// Quay's opaque `next_page` tokens: where the next page starts, valid for two days. Tampering
// gains nothing (every page is still filtered to what the caller may see), so the token is
// encoded, not encrypted; an unreadable or expired one means "from the start", as in Quay.

const LIFETIME_MS = 2 * 24 * 3600 * 1000;

interface PageToken {
  /** First repository id of the next page. */
  start_id: number;
  /** Expiry, Unix milliseconds. */
  exp: number;
}

export function encodePageToken(startId: number, now: Date): string {
  const token: PageToken = { start_id: startId, exp: now.getTime() + LIFETIME_MS };
  return Buffer.from(JSON.stringify(token)).toString("base64url");
}

/** The start id a token carries, or undefined for none, a bad one or an expired one. */
export function decodePageToken(text: string | undefined, now: Date): number | undefined {
  if (!text) return undefined;
  try {
    const token = JSON.parse(Buffer.from(text, "base64url").toString("utf8")) as Partial<PageToken>;
    if (!Number.isSafeInteger(token.start_id) || typeof token.exp !== "number" || token.exp <= now.getTime()) {
      return undefined;
    }
    return token.start_id;
  } catch {
    return undefined;
  }
}
