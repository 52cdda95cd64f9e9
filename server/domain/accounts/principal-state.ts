// Whether a principal is still current: its account enabled and at the auth generation its
// credential was checked under, and the OAuth token it came with (if any) still there and
// unexpired, and so the app-specific token it logged in with (if any). Registry bearer tokens
// and remembered Basic logins are checked against this on every request, so revocation takes
// effect within the time a notification needs.
// State is kept per process; database triggers NOTIFY every node after commit (`user:<id>`,
// `token:<id>`, migration 0005; `apptoken:<id>` comes from the revoking statement itself) so it
// drops what changed. Entries also age out, in case a notification is ever lost.
import { eq } from "drizzle-orm";
import type postgres from "postgres";
import type { Db } from "../../../db/client.ts";
import { users } from "../../../db/schema.ts";
import { tokenExpiry } from "./oauth-tokens.ts";
import { appTokenExpiry } from "./app-tokens.ts";
import type { Clock } from "../clock.ts";
import type { Principal, UserPrincipal } from "../access/principal.ts";

const CHANNEL = "quayside_principals";
const TTL_MS = 30_000;
const MAX_ENTRIES = 20_000;
/** A successful Basic login is trusted this long without checking the password again. */
const REMEMBER_LOGIN_MS = 60_000;

interface Entry<T> {
  value: T;
  until: number;
}

interface AccountState {
  enabled: boolean;
  generation: number;
}

/** A map whose entries age out, emptied when it grows too large. */
class Expiring<K, V> {
  private readonly entries = new Map<K, Entry<V>>();

  constructor(private readonly ttlMs: number) {}

  get(key: K): Entry<V> | undefined {
    const entry = this.entries.get(key);
    if (!entry || entry.until > Date.now()) return entry;
    this.entries.delete(key);
    return undefined;
  }

  set(key: K, value: V): void {
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(key, { value, until: Date.now() + this.ttlMs });
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}

export class PrincipalState {
  /** Bumped by every invalidation, so a read that raced one is not stored (as in ContentCache). */
  private version = 0;
  /** Account states by user id (null: no such account). */
  private readonly accounts = new Expiring<number, AccountState | null>(TTL_MS);
  /** Expiry (ms, null: never; undefined: gone) of OAuth tokens by id. */
  private readonly tokens = new Expiring<number, number | null | undefined>(TTL_MS);
  /** The same for app-specific tokens. */
  private readonly appTokens = new Expiring<number, number | null | undefined>(TTL_MS);
  /** Principals of successful Basic logins, by a hash of the credentials. */
  private readonly logins = new Expiring<string, UserPrincipal>(REMEMBER_LOGIN_MS);

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /** Subscribes to change notifications; resolves once listening. */
  async listen(sql: postgres.Sql): Promise<void> {
    await sql.listen(CHANNEL, (payload) => this.onNotification(payload), () => this.clear());
  }

  private onNotification(payload: string): void {
    const [kind, id] = payload.split(":");
    this.version++;
    if (kind === "user") this.accounts.delete(Number(id));
    else if (kind === "token") this.tokens.delete(Number(id));
    else if (kind === "apptoken") this.appTokens.delete(Number(id));
    else this.clear(); // a node of another version: play safe
  }

  /**
   * Whether the principal's account and token still stand as when its credential was checked.
   * Every registry request asks: when nothing needs loading, the answer comes without a promise.
   */
  isCurrent(principal: Principal): boolean | Promise<boolean> {
    if (principal.kind !== "user") return true;
    const account = this.accounts.get(principal.userId);
    const token = principal.viaToken && this.tokens.get(principal.viaToken.id);
    const appToken = principal.viaAppToken !== undefined ? this.appTokens.get(principal.viaAppToken) : undefined;
    if (account && (!principal.viaToken || token) && (principal.viaAppToken === undefined || appToken)) {
      return this.stands(principal, account.value, token?.value, appToken?.value);
    }
    return this.loadAndJudge(principal);
  }

  private async loadAndJudge(principal: UserPrincipal): Promise<boolean> {
    const account = await this.account(principal.userId);
    const tokenExpiresAt = principal.viaToken ? await this.tokenExpiry(principal.viaToken.id) : null;
    const appTokenExpiresAt = principal.viaAppToken !== undefined ? await this.appTokenExpiry(principal.viaAppToken) : null;
    return this.stands(principal, account, tokenExpiresAt, appTokenExpiresAt);
  }

  private stands(
    principal: UserPrincipal,
    account: AccountState | null,
    tokenExpiresAt: number | null | undefined,
    appTokenExpiresAt: number | null | undefined,
  ) {
    if (!account?.enabled) return false;
    if (principal.generation !== undefined && principal.generation !== account.generation) return false;
    if (principal.viaToken && !this.unexpired(tokenExpiresAt)) return false;
    return principal.viaAppToken === undefined || this.unexpired(appTokenExpiresAt);
  }

  /** A token's expiry (ms) says it still stands: it exists (not undefined) and is not past. */
  private unexpired(expiresAt: number | null | undefined): boolean {
    return expiresAt !== undefined && (expiresAt === null || expiresAt > this.clock.now().getTime());
  }

  /** This node revoked an app token: forget it now rather than when the notification comes. */
  forgetAppToken(id: number): void {
    this.version++;
    this.appTokens.delete(id);
  }

  /** The principal a credential (by hash) last logged in as, if that login is recent and current. */
  async recallLogin(key: string): Promise<UserPrincipal | undefined> {
    const principal = this.logins.get(key)?.value;
    if (principal && (await this.isCurrent(principal))) return principal;
    this.logins.delete(key);
    return undefined;
  }

  rememberLogin(key: string, principal: UserPrincipal): void {
    this.logins.set(key, principal);
  }

  clear(): void {
    this.version++;
    this.accounts.clear();
    this.tokens.clear();
    this.appTokens.clear();
  }

  private async account(userId: number): Promise<AccountState | null> {
    const hit = this.accounts.get(userId);
    if (hit) return hit.value;
    const readAt = this.version;
    const [row] = await this.db
      .select({ enabled: users.enabled, generation: users.authGeneration })
      .from(users)
      .where(eq(users.id, userId));
    const state = row ?? null;
    if (readAt === this.version) this.accounts.set(userId, state);
    return state;
  }

  private tokenExpiry(tokenId: number): Promise<number | null | undefined> {
    return this.expiry(this.tokens, tokenId, tokenExpiry);
  }

  private appTokenExpiry(tokenId: number): Promise<number | null | undefined> {
    return this.expiry(this.appTokens, tokenId, appTokenExpiry);
  }

  private async expiry(
    memo: Expiring<number, number | null | undefined>,
    tokenId: number,
    load: (db: Db, id: number) => Promise<Date | null | undefined>,
  ): Promise<number | null | undefined> {
    const hit = memo.get(tokenId);
    if (hit) return hit.value;
    const readAt = this.version;
    const expiresAt = await load(this.db, tokenId);
    const value = expiresAt === undefined ? undefined : (expiresAt?.getTime() ?? null);
    if (readAt === this.version) memo.set(tokenId, value);
    return value;
  }
}
