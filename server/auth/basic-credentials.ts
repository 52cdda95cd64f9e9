// Username/password pairs as registry clients send them (HTTP Basic): a user's password (or its
// encrypted form), or `$oauthtoken` with an OAuth access token (its scopes cap what the login
// may do), or an application-specific token with `$app` or its owner's name. Successful checks
// are remembered for a minute (in `PrincipalState`, which drops them as soon as the account or
// token changes) so a client sending Basic on every request does not pay for scrypt each time.
import type { Db } from "../../db/client.ts";
import type { Clock } from "../domain/clock.ts";
import type { LoginThrottle } from "../domain/accounts/login-throttle.ts";
import type { UserPrincipal } from "../domain/access/principal.ts";
import type { PrincipalState } from "../domain/accounts/principal-state.ts";
import { authenticate, toPrincipal } from "../domain/accounts/users.ts";
import { decryptPassword } from "./encrypted-passwords.ts";
import { resolveAccessToken } from "../domain/accounts/oauth-tokens.ts";
import { capsOf } from "../domain/access/scopes.ts";
import { APP_TOKEN_USERNAME, authenticateAppToken, looksLikeAppToken } from "../domain/accounts/app-tokens.ts";
import { authenticateRobot, isRobotName } from "../domain/accounts/robots.ts";
import { federatedRobotOf, looksLikeJwt } from "./federated-robot-tokens.ts";
import type { RegistryTokens } from "./registry-tokens.ts";
import { secretHash } from "./secrets.ts";

export function parseBasic(header: string | undefined): { username: string; password: string } | null {
  if (!header?.toLowerCase().startsWith("basic ")) return null;
  const decoded = Buffer.from(header.slice(6).trim(), "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return null;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export async function checkCredentials(
  deps: { db: Db; clock: Clock; principals: PrincipalState; logins: LoginThrottle; tokens: RegistryTokens },
  username: string,
  password: string,
  ip: string | null,
): Promise<UserPrincipal | null> {
  const { db, clock, principals } = deps;
  const key = secretHash(`${username}\u0000${password}`);
  const hit = await principals.recallLogin(key);
  if (hit) return hit;
  if (isRobotName(username)) {
    // A robot (`owner+short`, a name no person can have) signs in with its token, or with a
    // federated token (checked afresh each time: it is cheap, and it expires).
    if (looksLikeJwt(password)) {
      const federated = await federatedRobotOf(deps.tokens, password, username);
      return federated && (await principals.isCurrent(federated)) ? federated : null;
    }
    const robot = await authenticateRobot(deps, { username, token: password, ip });
    if (robot) principals.rememberLogin(key, robot);
    return robot;
  }
  let principal: UserPrincipal | null = null;
  if (username === "$oauthtoken") {
    const token = await resolveAccessToken(db, password, clock.now());
    if (token) principal = { ...toPrincipal(token.user), viaToken: { id: token.id, caps: capsOf(token.scopes) } };
  } else if (username === APP_TOKEN_USERNAME || looksLikeAppToken(password)) {
    const login = await authenticateAppToken(deps, { username, code: password, ip });
    if (login) principal = { ...toPrincipal(login.user), viaAppToken: login.tokenId };
  }
  if (!principal && username !== "$oauthtoken" && username !== APP_TOKEN_USERNAME) {
    // An encrypted password (from `user/initialize`) stands in for the password itself.
    const plain = (await decryptPassword(db, password)) ?? password;
    const user = await authenticate(deps, { username, password: plain, ip });
    if (user) principal = toPrincipal(user);
  }
  if (principal) principals.rememberLogin(key, principal);
  return principal;
}
