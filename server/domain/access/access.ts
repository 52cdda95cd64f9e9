// What a principal may do with `namespace/name`, existing or not: the OCI actions (pull, push,
// delete) a registry token may grant, following Quay's rules (downscope quietly rather than
// fail), and the repository role the API door checks.
import { eq } from "drizzle-orm";
import type { DbOrTx } from "../../../db/client.ts";
import { namespaces } from "../../../db/schema.ts";
import { capRepoRole } from "./scopes.ts";
import { knownRepository } from "../repositories/cached-repositories.ts";
import { parseRepoPath, type RepoRef } from "../names.ts";
import { findNamespace } from "../accounts/namespaces.ts";
import { canCreateIn, namespaceWideRole, ownsNamespace, type Role, roleAtLeast, roleOn } from "./permissions.ts";
import type { Principal } from "./principal.ts";
import { findRepository, type Repository } from "../repositories/repositories.ts";
import type { Services } from "../services.ts";
import { orgRole } from "../accounts/teams.ts";
import { proxyConfigOfRepository } from "../mirroring/proxy-cache-configs.ts";
import { orgMirrorRobotId } from "../mirroring/organization-mirrors.ts";
import { mirrorRobotId } from "../mirroring/repository-mirrors.ts";

export type RegistryAction = "pull" | "push" | "delete";

/**
 * Roles on repositories by user id (0: anonymous), per cached repository record: the content
 * cache replaces a record whenever the repository or its grants change, and every record of a
 * namespace whenever its teams or their members change (on any node), which drops these with it.
 * A hit is answered without a promise (this runs on every registry request).
 */
const rolesByRecord = new WeakMap<Repository, Map<number, Role | null>>();
/** Likewise, whether a user is a member of the proxy organization a repository is in. */
const proxyMembersByRecord = new WeakMap<Repository, Map<number, boolean>>();
const MAX_PER_RECORD = 1_000;

/** `load()`'s answer for `key`, memoised on `repo`'s record in `memos`. */
function memoisedOn<T>(memos: WeakMap<Repository, Map<number, T>>, repo: Repository, key: number, load: () => Promise<T>): T | Promise<T> {
  let known = memos.get(repo);
  if (!known) memos.set(repo, (known = new Map()));
  if (known.has(key)) return known.get(key)!;
  return load().then((value) => {
    if (known.size >= MAX_PER_RECORD) known.clear();
    known.set(key, value);
    return value;
  });
}

function cachedRoleOn(db: DbOrTx, principal: Principal, repo: Repository): Role | null | Promise<Role | null> {
  if (ownsNamespace(principal, repo.namespaceId)) return "admin";
  return memoisedOn(rolesByRecord, repo, principal.kind === "user" ? principal.userId : 0, () => roleOn(db, principal, repo));
}

/**
 * The registry actions a principal holds on repository `name` (`namespace/name`), existing or not — asked when a token
 * is issued and again on every request that uses one, so revoked rights end at once. Pull needs
 * read, push and delete need write (Quay's v2 API deletes with write too), creating by push needs
 * the right to create in the namespace. A principal that came with an OAuth token is capped by its
 * scopes: `repo:read` pulls, `repo:write` pushes and deletes, creating needs `repo:create` (or
 * `org:admin`) as well as `repo:write`; public repositories stay pullable whatever the scopes.
 */
export async function registryActions(
  svc: Pick<Services, "db" | "cache">,
  principal: Principal,
  name: string,
): Promise<RegistryAction[]> {
  const caps = principal.kind === "user" ? principal.viaToken?.caps : undefined;
  // A cached record needs no parsing: only valid names are ever stored.
  const repo = svc.cache.repository(name) ?? (await knownRepository(svc, name));
  const proxy = await proxyConfigOfRepository(svc.db, name);
  if (proxy) return proxyActions(svc.db, principal, proxy.namespaceId, repo);
  if (!repo) {
    if (principal.kind !== "user") return [];
    if (caps && (caps.namespace === null || !roleAtLeast(caps.repo, "write"))) return [];
    const [ns] = await svc.db.select().from(namespaces).where(eq(namespaces.name, parseRepoPath(name).namespace));
    return ns && (await canCreateIn(svc.db, principal, ns)) ? ["pull", "push", "delete"] : [];
  }
  if (repo.state === "MARKED_FOR_DELETION") return [];
  let role = await cachedRoleOn(svc.db, principal, repo);
  if (caps) role = capRepoRole(role, caps) ?? (repo.visibility === "public" ? "read" : null);
  const actions: RegistryAction[] = [];
  if (roleAtLeast(role, "read")) actions.push("pull");
  if (roleAtLeast(role, "write") && (repo.state === "NORMAL" || (await isMirrorRobot(svc.db, principal, repo)))) {
    actions.push("push", "delete");
  }
  return actions;
}

/**
 * A proxy organization's repositories are pulled (created on first pull), never pushed: every
 * member of the organization may pull them, as may anyone granted read on one.
 */
async function proxyActions(db: DbOrTx, principal: Principal, namespaceId: number, repo: Repository | undefined): Promise<RegistryAction[]> {
  if (repo?.state === "MARKED_FOR_DELETION") return [];
  const caps = principal.kind === "user" ? principal.viaToken?.caps : undefined;
  let role = repo ? await cachedRoleOn(db, principal, repo) : null;
  if (caps) role = capRepoRole(role, caps);
  if (roleAtLeast(role, "read")) return ["pull"];
  if (principal.kind !== "user" || (caps && !roleAtLeast(caps.repo, "read"))) return [];
  const isMember = async () => (await orgRole(db, principal.userId, namespaceId)) !== null;
  return (await (repo ? memoisedOn(proxyMembersByRecord, repo, principal.userId, isMember) : isMember())) ? ["pull"] : [];
}

/** A MIRROR (ORG_MIRROR) repository takes pushes from its (organization's) mirror robot only, as Quay. */
async function isMirrorRobot(db: DbOrTx, principal: Principal, repo: Repository): Promise<boolean> {
  if (principal.kind !== "user" || principal.robot !== true) return false;
  if (repo.state === "MIRROR") return (await mirrorRobotId(db, repo.id)) === principal.userId;
  if (repo.state === "ORG_MIRROR") return (await orgMirrorRobotId(db, repo.namespaceId)) === principal.userId;
  return false;
}

export interface RepositoryAccess {
  /** Undefined when the repository does not exist (or is being deleted). */
  repo?: Repository;
  /** The caller's role; for a missing repository, what they hold namespace-wide. */
  role: Role | null;
}

/**
 * The caller's role on `namespace/name` whether or not it exists, so a door can refuse before it
 * reveals existence: only callers with namespace-wide rights learn that a repository is missing.
 */
export async function repositoryAccess(db: DbOrTx, principal: Principal, ref: RepoRef): Promise<RepositoryAccess> {
  const repo = await findRepository(db, ref);
  if (repo && repo.state !== "MARKED_FOR_DELETION") return { repo, role: await roleOn(db, principal, repo) };
  const ns = await findNamespace(db, ref.namespace);
  return { role: ns ? await namespaceWideRole(db, principal, ns) : null };
}
