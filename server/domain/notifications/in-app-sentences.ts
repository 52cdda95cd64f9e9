// One sentence per event kind for the notifications page, from the event data stored with the
// notification (Quay's event payloads: `repository`, `namespace`, `name`, `updated_tags`, `tags`,
// `build_name`, `error_message`, `vulnerability`, `expiring_in`, `message`). The repository is a
// part of its own so the page can link it; metadata from older or unknown events is read
// defensively (a field may be missing or of another type).

export interface RepositoryRef {
  namespace: string;
  name: string;
}

/** Plain text, or the repository the event happened in. */
export type SentencePart = string | { repository: RepositoryRef };

export interface Sentence {
  parts: SentencePart[];
  repository: RepositoryRef | null;
}

/** Tag lists are cut here ("a, b, c, d, e and 7 more"). */
const TAGS_SHOWN = 5;

const text = (value: unknown): string | undefined => (typeof value === "string" && value.trim() !== "" ? value.trim() : undefined);
const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : []);

function repositoryOf(metadata: Record<string, unknown>): RepositoryRef | null {
  const namespace = text(metadata.namespace);
  const name = text(metadata.name);
  if (namespace && name) return { namespace, name };
  const full = text(metadata.repository);
  const slash = full?.indexOf("/") ?? -1;
  return full && slash > 0 ? { namespace: full.slice(0, slash), name: full.slice(slash + 1) } : null;
}

/** "latest", "latest and v1", "a, b, c, d, e and 2 more". */
export function tagList(tags: string[]): string {
  if (tags.length <= 1) return tags.join("");
  const shown = tags.slice(0, TAGS_SHOWN);
  const rest = tags.length - shown.length;
  if (rest > 0) return `${shown.join(", ")} and ${rest} more`;
  return `${shown.slice(0, -1).join(", ")} and ${shown.at(-1)}`;
}

const tagWord = (tags: string[]) => (tags.length === 1 ? "Tag" : "Tags");

/** The sentence's parts around the repository: `before` + repository + `after`. */
function describe(kind: string, m: Record<string, unknown>): [string, string] {
  const build = text(m.build_name) ? ` “${text(m.build_name)}”` : "";
  switch (kind) {
    case "repo_push": {
      const tags = strings(m.updated_tags);
      return tags.length ? [`${tagWord(tags)} ${tagList(tags)} ${tags.length === 1 ? "was" : "were"} pushed to `, "."] : ["", " was pushed to."];
    }
    case "build_queued":
      return [`Build${build} of `, " was queued."];
    case "build_start":
      return [`Build${build} of `, " started."];
    case "build_success":
      return [`Build${build} of `, " succeeded."];
    case "build_failure":
      return [`Build${build} of `, text(m.error_message) ? ` failed: ${text(m.error_message)}` : " failed."];
    case "build_cancelled":
      return [`Build${build} of `, " was cancelled."];
    case "vulnerability_found": {
      const vulnerability = (typeof m.vulnerability === "object" && m.vulnerability !== null ? m.vulnerability : {}) as Record<string, unknown>;
      const priority = text(vulnerability.priority);
      const id = text(vulnerability.id);
      const tags = strings(m.tags);
      return [
        `${priority ? `A ${priority} vulnerability` : "A vulnerability"}${id ? ` (${id})` : ""} was found in `,
        tags.length ? ` (${tags.length === 1 ? "tag" : "tags"} ${tagList(tags)}).` : ".",
      ];
    }
    case "repo_mirror_sync_started":
      return ["Mirroring of ", " started."];
    case "repo_mirror_sync_success":
      return ["Mirroring of ", " finished."];
    case "repo_mirror_sync_failed":
      return ["Mirroring of ", text(m.message) ? ` failed: ${text(m.message)}` : " failed."];
    case "repo_image_expiry": {
      const tags = strings(m.tags);
      const when = text(m.expiring_in) ? ` in ${text(m.expiring_in)}` : " soon";
      return tags.length ? [`${tagWord(tags)} ${tagList(tags)} of `, ` ${tags.length === 1 ? "expires" : "expire"}${when}.`] : ["Images of ", ` expire${when}.`];
    }
    default:
      return [`Notification “${kind}” about `, "."];
  }
}

/** What happened, as a sentence whose repository part the page links. */
export function inAppSentence(kind: string, metadata: Record<string, unknown>): Sentence {
  const repository = repositoryOf(metadata);
  const [before, after] = describe(kind, metadata);
  if (!repository) return { parts: [`${before}a repository${after}`.replace(/^./, (c) => c.toUpperCase())], repository: null };
  return { parts: [before, { repository }, after].filter((p) => p !== ""), repository };
}
