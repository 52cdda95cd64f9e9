// What each notification event carries and how it reads (Quay's NotificationEvent classes, as facts):
// the event data built from what the emitter knows, the sample data a test notification sends,
// the one-line summary, the level (colours in Slack and HipChat) and the event filter of a
// notification's eventConfig. The HTML message of each event is in event-messages.ts.
import { type NotificationEvent, SEVERITY_INDEX, type Severity } from "./catalog.ts";

/** The fields every repository event has (Quay's build_repository_event_data), plus the event's own. */
export interface EventData extends Record<string, unknown> {
  repository: string;
  namespace: string;
  name: string;
  docker_url: string;
  homepage: string;
}

/** How severe an event is, for the methods that colour messages. */
export type EventLevel = "info" | "warning" | "error" | "primary" | "success";

/** The repository an event is about and the site's address (scheme://host[:port], as clients reach it). */
export interface EventSubject {
  siteUrl: string;
  namespace: string;
  name: string;
}

/** The common fields and the event's own; `subpage` extends the homepage link (a build's page). */
export function repositoryEventData(subject: EventSubject, extra: Record<string, unknown>, subpage?: string): EventData {
  const repository = `${subject.namespace}/${subject.name}`;
  const site = subject.siteUrl.replace(/\/+$/, "");
  const page = subpage ? (subpage.startsWith("/") ? subpage : `/${subpage}`) : "";
  return {
    repository,
    namespace: subject.namespace,
    name: subject.name,
    docker_url: `${new URL(site).host}/${repository}`,
    homepage: `${site}/repository/${repository}${page}`,
    ...extra,
  };
}

/** `repo_push`: the tags a push moved and the manifest digests it pushed. */
export const repoPushData = (subject: EventSubject, push: { tags: string[]; digests: string[] }) =>
  repositoryEventData(subject, { updated_tags: push.tags, manifest_digests: push.digests });

/** What a build event knows of its build (the builds issue emits these). */
export interface BuildFacts {
  buildId: string;
  buildName: string;
  dockerTags: string[];
  manual?: boolean;
  trigger?: { id: string; kind: string; metadata: Record<string, unknown> };
  imageId?: string;
  errorMessage?: string;
}

/** `build_queued`, `build_start`, `build_success`, `build_failure`, `build_cancelled`. */
export function buildEventData(subject: EventSubject, build: BuildFacts): EventData {
  return repositoryEventData(
    subject,
    {
      ...(build.manual === undefined ? {} : { is_manual: build.manual }),
      build_id: build.buildId,
      build_name: build.buildName,
      docker_tags: build.dockerTags,
      ...(build.trigger
        ? { trigger_id: build.trigger.id, trigger_kind: build.trigger.kind, trigger_metadata: build.trigger.metadata }
        : {}),
      ...(build.imageId === undefined ? {} : { image_id: build.imageId }),
      ...(build.errorMessage === undefined ? {} : { error_message: build.errorMessage }),
    },
    `/build/${build.buildId}`,
  );
}

export interface VulnerabilityFacts {
  id: string;
  description: string;
  link: string;
  priority: Severity;
  hasFix: boolean;
}

const vulnerabilityView = (v: VulnerabilityFacts) => ({ id: v.id, description: v.description, link: v.link, priority: v.priority, has_fix: v.hasFix });

/**
 * `vulnerability_found`: the tags of the affected manifest and the vulnerability (the scanning
 * issue emits it); several found at once also go in `vulnerabilities`, most severe first.
 */
export const vulnerabilityFoundData = (
  subject: EventSubject,
  found: { tags: string[]; manifestDigest: string; vulnerability: VulnerabilityFacts; vulnerabilities?: VulnerabilityFacts[] },
) =>
  repositoryEventData(subject, {
    tags: found.tags,
    image: found.manifestDigest,
    vulnerability: vulnerabilityView(found.vulnerability),
    ...(found.vulnerabilities && found.vulnerabilities.length > 1 ? { vulnerabilities: found.vulnerabilities.map(vulnerabilityView) } : {}),
  });

/** `repo_mirror_sync_started` / `_success` / `_failed`: a line saying what happened (the mirroring issue emits them). */
export const mirrorSyncData = (subject: EventSubject, message: string) => repositoryEventData(subject, { message });

/** `repo_image_expiry`: the tags that expire within the notification's days. */
export const imageExpiryData = (subject: EventSubject, expiring: { tags: string[]; days: number }) =>
  repositoryEventData(subject, { tags: expiring.tags, expiring_in: `${expiring.days} days` });

interface EventDefinition {
  level(data: EventData): EventLevel;
  summary(data: EventData): string;
  /** Data for a test notification (Quay's get_sample_data). */
  sample(subject: EventSubject, eventConfig: Record<string, unknown>, now: Date): EventData;
  /** Whether a notification with this eventConfig wants the event (Quay's should_perform). */
  matches(data: EventData, eventConfig: Record<string, unknown>): boolean;
}

const always = () => true;
const str = (value: unknown) => (typeof value === "string" ? value : String(value ?? ""));

const SAMPLE_BUILD: BuildFacts = {
  buildId: "fake-build-id",
  buildName: "some-fake-build",
  dockerTags: ["latest", "foo", "bar"],
  trigger: {
    id: "1245634",
    kind: "GitHub",
    metadata: { default_branch: "master", ref: "refs/heads/somebranch", commit: "42d4a62c53350993ea41069e9f2cfdefb0df097d" },
  },
};

const SAMPLE_COMMIT_INFO = {
  url: "http://path/to/the/commit",
  message: "Some commit message",
  author: { username: "fakeauthor", url: "http://path/to/fake/author/in/scm", avatar_url: "http://www.gravatar.com/avatar/fakehash" },
};

/** The sample build, with commit details as Quay's queued and failed samples have them. */
function sampleBuild(more: Partial<BuildFacts>, commitDate?: Date): BuildFacts {
  const trigger = SAMPLE_BUILD.trigger!;
  const metadata = commitDate
    ? { ...trigger.metadata, commit_info: { ...SAMPLE_COMMIT_INFO, date: Math.floor(commitDate.getTime() / 1000) } }
    : trigger.metadata;
  return { ...SAMPLE_BUILD, trigger: { ...trigger, metadata }, ...more };
}

/**
 * A build event's filter: with a `ref-regex`, only builds of a git ref it matches from the start
 * (Python's re.match); a build without a ref, or a regex that does not compile, never matches.
 */
export function buildRefMatches(data: EventData, eventConfig: Record<string, unknown>): boolean {
  const pattern = eventConfig["ref-regex"];
  if (pattern === undefined || pattern === null || pattern === "") return true;
  const ref = (data.trigger_metadata as { ref?: unknown } | undefined)?.ref;
  if (typeof ref !== "string") return false;
  try {
    return new RegExp(str(pattern), "y").test(ref);
  } catch {
    return false;
  }
}

/** The index of a level filter (a severity index, or a severity's name); undefined when unreadable. */
function severityIndex(value: unknown): number | undefined {
  if (typeof value === "string" && value in SEVERITY_INDEX) return SEVERITY_INDEX[value as Severity];
  const n = typeof value === "number" ? value : Number.parseInt(str(value), 10);
  return Number.isInteger(n) ? n : undefined;
}

/** The severity's name for an index (Quay's get_priority_for_index); Unknown past the list. */
function severityName(index: number | undefined): Severity {
  const found = Object.entries(SEVERITY_INDEX).find(([, i]) => i === index);
  return (found?.[0] as Severity | undefined) ?? "Unknown";
}

/**
 * `vulnerability_found`'s filter: with a `level`, only vulnerabilities at least that severe
 * (a lower index is worse); an index report's creation always passes, data without a
 * vulnerability or with an unknown priority never does.
 */
export function vulnerabilityMatches(data: EventData, eventConfig: Record<string, unknown>): boolean {
  if (!("level" in eventConfig)) return true;
  if ("vulnerable_index_report_created" in data) return true;
  const vulnerability = data.vulnerability as { priority?: unknown } | undefined;
  if (!vulnerability) return false;
  const priority = str(vulnerability.priority ?? "Unknown");
  if (!(priority in SEVERITY_INDEX)) return false;
  const limit = severityIndex(eventConfig.level);
  return limit !== undefined && SEVERITY_INDEX[priority as Severity] <= limit;
}

function vulnerabilitySummary(data: EventData): string {
  const tags = (data.tags as unknown[] | undefined)?.length ?? 0;
  const several = data.vulnerabilities as { priority?: string }[] | undefined;
  if (several && several.length > 0) {
    const top = several[0]!.priority ?? "Unknown";
    const same = several.filter((v) => (v.priority ?? "Unknown") === top).length;
    const more = same < several.length ? ` and ${several.length - same} more` : "";
    return `${same} ${top}${more} vulnerabilities were detected in repository ${data.repository} in ${tags} tags`;
  }
  const priority = (data.vulnerability as { priority?: string } | undefined)?.priority ?? "Unknown";
  return `${priority} vulnerability detected in repository ${data.repository} in ${tags} tags`;
}

const buildSummary = (what: string) => (data: EventData) =>
  `Build ${what} for repository ${data.repository} [${str(data.build_id).slice(0, 7)}]`;

function buildEvent(what: string, level: EventLevel, sample: (now: Date) => BuildFacts): EventDefinition {
  return { level: () => level, summary: buildSummary(what), sample: (subject, _config, now) => buildEventData(subject, sample(now)), matches: buildRefMatches };
}

function mirrorEvent(what: string, level: EventLevel): EventDefinition {
  return {
    level: () => level,
    summary: (data) => `Repository Mirror ${what} for ${str(data.message)}`,
    sample: (subject) => mirrorSyncData(subject, "TEST NOTIFICATION"),
    matches: always,
  };
}

export const EVENTS: Record<NotificationEvent, EventDefinition> = {
  repo_push: {
    level: () => "primary",
    summary: (data) => `Repository ${data.repository} updated`,
    sample: (subject) => repositoryEventData(subject, { updated_tags: ["latest", "foo"], pruned_image_count: 3 }),
    matches: always,
  },
  build_queued: buildEvent("queued", "info", (now) => sampleBuild({ manual: false }, now)),
  build_start: buildEvent("started", "info", () => sampleBuild({})),
  build_success: buildEvent("succeeded", "success", () => sampleBuild({ imageId: "1245657346" })),
  build_failure: buildEvent("failure", "error", (now) => sampleBuild({ errorMessage: "This is a fake error message" }, now)),
  build_cancelled: buildEvent("cancelled", "info", () => sampleBuild({ imageId: "1245657346" })),
  vulnerability_found: {
    level(data) {
      const priority = (data.vulnerability as { priority?: string } | undefined)?.priority;
      if (priority === "Critical") return "error";
      return priority === "High" || priority === "Medium" ? "warning" : "info";
    },
    summary: vulnerabilitySummary,
    sample: (subject, eventConfig) =>
      repositoryEventData(subject, {
        tags: ["latest", "prod", "foo", "bar", "baz"],
        image: "some-image-id",
        vulnerability: {
          id: "CVE-FAKE-CVE",
          description: "A futurist vulnerability",
          link: "https://security-tracker.debian.org/tracker/CVE-FAKE-CVE",
          priority: "level" in eventConfig ? severityName(severityIndex(eventConfig.level)) : "Critical",
          has_fix: true,
        },
      }),
    matches: vulnerabilityMatches,
  },
  repo_mirror_sync_started: mirrorEvent("started", "info"),
  repo_mirror_sync_success: mirrorEvent("success", "success"),
  repo_mirror_sync_failed: mirrorEvent("failed", "error"),
  repo_image_expiry: {
    level: () => "info",
    summary: (data) => `Repository ${data.repository} image(s) expiring`,
    sample: (subject, eventConfig) => imageExpiryData(subject, { tags: ["latest", "v1.0"], days: expiryDays(eventConfig) ?? 7 }),
    // The expiry job picks the notification (its days) itself.
    matches: always,
  },
};

/** A `repo_image_expiry` notification's days (eventConfig `days`, a positive whole number), if readable. */
export function expiryDays(eventConfig: Record<string, unknown>): number | undefined {
  const days = typeof eventConfig.days === "number" ? eventConfig.days : Number.parseInt(str(eventConfig.days), 10);
  return Number.isInteger(days) && days > 0 ? days : undefined;
}
