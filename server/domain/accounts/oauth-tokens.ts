// OAuth access tokens for the /api/v1 door (and `$oauthtoken` logins on the registry).
// Only a hash of each token is stored.
import { and, eq, gt, isNull, or } from "drizzle-orm";
import type { Db, DbOrTx } from "../../../db/client.ts";
import { oauthApps, oauthTokens, users } from "../../../db/schema.ts";
import { newClientId, newClientSecret } from "./applications.ts";
import { asPerson, type User } from "./users.ts";
import { newSecret, secretHash } from "../../auth/secrets.ts";

export const ALL_SCOPES = [
  "org:admin",
  "repo:admin",
  "repo:create",
  "repo:read",
  "repo:write",
  "super:user",
  "user:admin",
  "user:read",
] as const;
export type Scope = (typeof ALL_SCOPES)[number];

/** What each scope lets a token do, in the words a user approving one reads (Quay's). */
export const SCOPE_TITLES: Record<Scope, string> = {
  "org:admin": "Administer Organization",
  "repo:admin": "Administer Repositories",
  "repo:create": "Create Repositories",
  "repo:read": "View all visible repositories",
  "repo:write": "Read/Write to any accessible repositories",
  "super:user": "Super User Access",
  "user:admin": "Administer User",
  "user:read": "Read User Information",
};

/**
 * How Quay presents each scope beside its title: its icon, whether granting it hands over the
 * account (asked with care), and what it lets an application do (in our words).
 */
export const SCOPE_DETAILS: Record<Scope, { icon: string; dangerous: boolean; description: string }> = {
  "org:admin": {
    icon: "fa-gear",
    dangerous: true,
    description: "Lets the application administer your organizations: their teams, members, robot accounts and settings.",
  },
  "repo:admin": {
    icon: "fa-hdd-o",
    dangerous: false,
    description: "Lets the application administer every repository you may administer.",
  },
  "repo:create": {
    icon: "fa-plus",
    dangerous: false,
    description: "Lets the application create repositories wherever you may create them.",
  },
  "repo:read": {
    icon: "fa-hdd-o",
    dangerous: false,
    description: "Lets the application see and pull every repository you can see.",
  },
  "repo:write": {
    icon: "fa-hdd-o",
    dangerous: false,
    description: "Lets the application see, pull and push every repository you may write to.",
  },
  "super:user": {
    icon: "fa-street-view",
    dangerous: true,
    description: "Lets the application administer this registry as a superuser: every user and organization.",
  },
  "user:admin": {
    icon: "fa-gear",
    dangerous: true,
    description: "Lets the application administer your account, including its robot accounts and their permissions.",
  },
  "user:read": {
    icon: "fa-user",
    dangerous: false,
    description: "Lets the application read your account's details, such as your user name and e-mail address.",
  },
};

/** repo:admin ⊃ repo:write ⊃ repo:read; nothing else implies anything. */
const IMPLIED: Partial<Record<Scope, Scope[]>> = {
  "repo:admin": ["repo:write", "repo:read"],
  "repo:write": ["repo:read"],
};

export function expandScopes(scopes: Iterable<string>): Set<Scope> {
  const out = new Set<Scope>();
  for (const s of scopes) {
    if (!(ALL_SCOPES as readonly string[]).includes(s)) continue;
    out.add(s as Scope);
    for (const implied of IMPLIED[s as Scope] ?? []) out.add(implied);
  }
  return out;
}

export const parseScopeList = (text: string) => text.split(/[\s,]+/).filter(Boolean);

/** The OAuth application Quay's `user/initialize` creates for the first user's token. */
export async function ensureApp(
  db: DbOrTx,
  namespaceId: number,
  name: string,
): Promise<{ id: number; clientId: string; created: boolean }> {
  const columns = { id: oauthApps.id, clientId: oauthApps.clientId };
  const [existing] = await db
    .select(columns)
    .from(oauthApps)
    .where(and(eq(oauthApps.namespaceId, namespaceId), eq(oauthApps.name, name)));
  if (existing) return { ...existing, created: false };
  const [app] = await db
    .insert(oauthApps)
    .values({ namespaceId, name, clientId: newClientId(), clientSecret: newClientSecret() })
    .returning(columns);
  return { ...app!, created: true };
}

export async function createAccessToken(
  db: DbOrTx,
  userId: number,
  appId: number | null,
  scopes: readonly string[],
  expiresAt: Date | null = null,
): Promise<string> {
  const token = newSecret(30);
  await db.insert(oauthTokens).values({ userId, appId, tokenHash: secretHash(token), scopes: scopes.join(" "), expiresAt });
  return token;
}

export interface ResolvedToken {
  id: number;
  user: User;
  scopes: Set<Scope>;
}

export async function resolveAccessToken(db: Db, token: string, now: Date): Promise<ResolvedToken | null> {
  const [row] = await db
    .select({ id: oauthTokens.id, user: users, scopes: oauthTokens.scopes })
    .from(oauthTokens)
    .innerJoin(users, eq(users.id, oauthTokens.userId))
    .where(
      and(
        eq(oauthTokens.tokenHash, secretHash(token)),
        or(isNull(oauthTokens.expiresAt), gt(oauthTokens.expiresAt, now)),
      ),
    );
  const user = asPerson(row?.user);
  if (!row || !user?.enabled) return null;
  return { id: row.id, user, scopes: expandScopes(parseScopeList(row.scopes)) };
}

/** When a token expires (null: never); undefined when it no longer exists. */
export async function tokenExpiry(db: Db, id: number): Promise<Date | null | undefined> {
  const [row] = await db.select({ expiresAt: oauthTokens.expiresAt }).from(oauthTokens).where(eq(oauthTokens.id, id));
  return row?.expiresAt;
}
