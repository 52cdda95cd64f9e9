// Quay's fresh login (FRESH_LOGIN_TIMEOUT): changing one's password or e-mail, deleting an account
// or an organization, tokens and superuser actions need a sign-in this recent. A session older
// than that proves itself with the password again (`POST /api/v1/signin/verify`, or the
// "Confirm your password" step in the browser), which starts a new session. OAuth tokens are
// exempt: they were granted for exactly what they hold.

/** Quay's FRESH_LOGIN_TIMEOUT: ten minutes. */
export const FRESH_LOGIN_MS = 10 * 60_000;

/** Whether a session that signed in at `signedInAt` may still do sensitive things at `now`. */
export function isFreshSignIn(signedInAt: Date, now: Date): boolean {
  return now.getTime() - signedInAt.getTime() <= FRESH_LOGIN_MS;
}
