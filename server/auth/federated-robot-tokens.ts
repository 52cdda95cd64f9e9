// The short-lived robot token a federated login (an external OIDC token from a trusted issuer
// and subject) is exchanged for: a JWT signed with the registry's key for an audience of its own,
// so it serves as the robot's registry password and never as a registry bearer token.
import type { UserPrincipal } from "../domain/access/principal.ts";
import type { RegistryTokens } from "./registry-tokens.ts";

const AUDIENCE = "quayside:federated-robot";
/** Quay's federated robot tokens last an hour. */
const TTL_SECONDS = 3600;

export async function issueFederatedRobotToken(tokens: RegistryTokens, robot: UserPrincipal): Promise<string> {
  return (await tokens.issue(robot, AUDIENCE, [], TTL_SECONDS)).token;
}

/** A JWT's shape; robot tokens (A–Z, 0–9) never have it. */
export const looksLikeJwt = (text: string) => /^[\w-]+\.[\w-]+\.[\w-]+$/.test(text);

/** The robot a federated token was issued to, if it is valid and names `username`. */
export async function federatedRobotOf(tokens: RegistryTokens, token: string, username: string): Promise<UserPrincipal | null> {
  const principal = (await tokens.verify(token, AUDIENCE))?.principal;
  return principal?.kind === "user" && principal.robot && principal.username === username ? principal : null;
}
