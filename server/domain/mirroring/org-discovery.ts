// Which repositories an upstream namespace holds, for organization mirroring: the registry's
// catalog (`/v2/_catalog`, any OCI distribution registry that offers it) filtered to the
// namespace; where the catalog is refused or absent (Harbor and Quay answer it only to some
// accounts), the registry's own API per `external_registry_type` (Harbor's project repositories,
// Quay's repository list). Names come back relative to the namespace.
import { matchingTags } from "./tag-globs.ts";
import { type UpstreamClient, UpstreamError } from "./upstream-client.ts";

const HARBOR_PAGE = 100;
/** Pages followed at most (a runaway `next_page` must not loop for ever). */
const MAX_PAGES = 1000;

const within = (namespace: string, names: readonly string[]) =>
  names.filter((n) => n.startsWith(`${namespace}/`)).map((n) => n.slice(namespace.length + 1));

async function harborRepositories(client: UpstreamClient, namespace: string): Promise<string[]> {
  const names: string[] = [];
  for (let page = 1; page <= MAX_PAGES; page++) {
    const body = await client.apiJson(`/api/v2.0/projects/${encodeURIComponent(namespace)}/repositories?page=${page}&page_size=${HARBOR_PAGE}`, "Harbor's repository list");
    if (!Array.isArray(body)) throw new UpstreamError("invalid", "Harbor's repository list is not a list");
    for (const r of body as { name?: unknown }[]) if (typeof r?.name === "string") names.push(r.name);
    if (body.length < HARBOR_PAGE) break;
  }
  return within(namespace, names);
}

async function quayRepositories(client: UpstreamClient, namespace: string): Promise<string[]> {
  const names: string[] = [];
  let next: string | null = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    const query: string = `namespace=${encodeURIComponent(namespace)}${next ? `&next_page=${encodeURIComponent(next)}` : ""}`;
    const body = (await client.apiJson(`/api/v1/repository?${query}`, "Quay's repository list")) as { repositories?: unknown; next_page?: unknown };
    if (!Array.isArray(body.repositories)) throw new UpstreamError("invalid", "Quay's repository list is not a list");
    for (const r of body.repositories as { name?: unknown }[]) if (typeof r?.name === "string") names.push(r.name);
    next = typeof body.next_page === "string" && body.next_page ? body.next_page : null;
    if (!next) break;
  }
  return names;
}

/** The upstream namespace's repository names (relative to it), sorted. */
export async function discoverRepositories(client: UpstreamClient, registryType: string, namespace: string): Promise<string[]> {
  let names: string[];
  try {
    names = within(namespace, await client.listCatalog());
  } catch (err) {
    if (!(err instanceof UpstreamError) || !["unauthorized", "denied", "not_found"].includes(err.kind)) throw err;
    names = registryType === "harbor" ? await harborRepositories(client, namespace) : await quayRepositories(client, namespace);
  }
  return [...new Set(names)].sort();
}

/** Quay's repository filter: any glob matching the whole name (fnmatch); no filters match all. */
export const matchingRepositories = (names: readonly string[], filters: readonly string[]): string[] =>
  filters.length === 0 ? [...names] : matchingTags(names, filters);
