// Name rules for namespaces, repositories and tags: the OCI distribution grammar narrowed by
// Quay's rules, written once for every door.
import { DomainError } from "./errors.ts";

/** Quay's rule for user, organization and team names. */
const NAMESPACE = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
/** One path component of an OCI repository name. */
const OCI_COMPONENT = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
/** Quay reserves these as repository names because its URLs use them. */
const RESERVED_REPOSITORY_NAMES = new Set(["build", "trigger", "tag"]);

export function isValidNamespaceName(name: string): boolean {
  return name.length >= 2 && name.length <= 255 && NAMESPACE.test(name);
}

/** The repository part of `namespace/repository` (may itself hold `/`). */
export function repositoryNameProblem(name: string): string | null {
  if (name.length === 0 || name.length > 255) return "repository names are 1 to 255 characters";
  const parts = name.split("/");
  if (!parts.every((p) => OCI_COMPONENT.test(p))) {
    return "repository names use lowercase letters, digits and single separators (. _ __ -)";
  }
  if (RESERVED_REPOSITORY_NAMES.has(parts[0]!)) return `"${parts[0]}" is a reserved repository name`;
  return null;
}

export interface RepoRef {
  namespace: string;
  name: string;
}

/** Splits `namespace/repo[/more]`; throws NAME_INVALID when either part breaks the rules. */
export function parseRepoPath(path: string): RepoRef {
  const slash = path.indexOf("/");
  if (slash <= 0) throw new DomainError("NAME_INVALID", "repository name must be namespace/name", { name: path });
  const namespace = path.slice(0, slash);
  const name = path.slice(slash + 1);
  if (!isValidNamespaceName(namespace)) {
    throw new DomainError("NAME_INVALID", `invalid namespace "${namespace}"`, { name: path });
  }
  const problem = repositoryNameProblem(name);
  if (problem) throw new DomainError("NAME_INVALID", problem, { name: path });
  return { namespace, name };
}

export const repoPath = (ref: RepoRef) => `${ref.namespace}/${ref.name}`;

export function isValidTagName(name: string): boolean {
  return TAG.test(name);
}
