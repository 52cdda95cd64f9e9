// The HTML message of each event, as Quay's event templates word them: the body of e-mails, the
// content of Flowdock and HipChat messages, and (turned into Slack's markup) Slack attachments.
// Every value from event data is escaped.
import type { NotificationEvent } from "./catalog.ts";
import type { EventData } from "./events.ts";

export const escapeHtml = (value: unknown) =>
  String(value ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/** The text an escaped one stands for. */
export const unescapeHtml = (text: string) =>
  text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, "&");

const link = (href: unknown, text: string) => `<a href="${escapeHtml(href)}">${text}</a>`;
const repositoryLink = (data: EventData) => link(data.homepage, escapeHtml(data.repository));
const strings = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : []);
const tagList = (tags: string[]) => tags.map((t) => `<b>${escapeHtml(t)}</b>`).join(", ");

function pushMessage(data: EventData, performer?: string): string {
  const tags = strings(data.updated_tags);
  const who = performer ? `<b>${escapeHtml(performer)}</b> pushed` : "Push of";
  return `${who} ${tags.length ? `${tagList(tags)} in ` : ""}repository ${repositoryLink(data)}`;
}

interface TriggerMetadata {
  ref?: string;
  commit?: string;
  commit_info?: { url?: string; author?: { username?: string; url?: string } };
}

function buildMessage(what: string) {
  return (data: EventData) => {
    const head = `${link(data.homepage, `Build ${escapeHtml(String(data.build_id ?? "").slice(0, 7))}`)} ${what} for`;
    let cause: string;
    if (!data.trigger_id) cause = "uploaded Dockerfile";
    else {
      const meta = data.trigger_metadata as TriggerMetadata | undefined;
      if (!meta) cause = `change to ${escapeHtml(data.trigger_kind)} repository`;
      else {
        const commit = escapeHtml((meta.commit ?? "").slice(0, 7));
        if (!meta.commit_info) cause = `change ${commit}`;
        else {
          const [, kind, name] = (meta.ref ?? "").split("/");
          const author = meta.commit_info.author;
          cause = `change ${link(meta.commit_info.url, commit)} to ${kind === "tags" ? "tag" : "branch"} ${escapeHtml(name)}`;
          if (author) cause += ` by ${link(author.url, escapeHtml(author.username))}`;
        }
      }
    }
    const error = data.error_message ? `<br>${escapeHtml(data.error_message)}` : "";
    return `${head} ${cause} for repository ${repositoryLink(data)}${error}`;
  };
}

function vulnerabilityMessage(data: EventData): string {
  const tags = strings(data.tags);
  const several = data.vulnerabilities as unknown[] | undefined;
  const vulnerability = (data.vulnerability ?? {}) as { link?: string; priority?: string; id?: string };
  const what = several?.length
    ? `${several.length} vulnerabilities were detected in tags`
    : `A ${link(vulnerability.link, `${escapeHtml(vulnerability.priority)} vulnerability`)} (${escapeHtml(vulnerability.id)}) was detected in tags/manifests`;
  const more = tags.length > 3 ? ` (and ${tags.length - 3} more)` : "";
  return `${what} ${tagList(tags.slice(0, 3))}${more} in repository ${repositoryLink(data)}`;
}

/** Quay says only who and the message; the repository is named too, as the other events do. */
const mirrorMessage = (data: EventData, performer?: string) =>
  [performer ? `<b>${escapeHtml(performer)}</b>` : "", escapeHtml(data.message), `in repository ${repositoryLink(data)}`].filter(Boolean).join(" ");

function expiryMessage(data: EventData): string {
  const within = data.expiring_in ? ` in ${escapeHtml(data.expiring_in)}` : "";
  return `The following tags of repository ${repositoryLink(data)} are due to expire${within}: <br>${tagList(strings(data.tags))}`;
}

const MESSAGES: Record<NotificationEvent, (data: EventData, performer?: string) => string> = {
  repo_push: pushMessage,
  build_queued: buildMessage("queued"),
  build_start: buildMessage("started"),
  build_success: buildMessage("completed"),
  build_failure: buildMessage("failure"),
  build_cancelled: buildMessage("cancelled"),
  vulnerability_found: vulnerabilityMessage,
  repo_mirror_sync_started: mirrorMessage,
  repo_mirror_sync_success: mirrorMessage,
  repo_mirror_sync_failed: mirrorMessage,
  repo_image_expiry: expiryMessage,
};

/** The event's message in HTML; `performer` names who caused it, when someone did. */
export const eventMessage = (event: NotificationEvent, data: EventData, performer?: string) => MESSAGES[event](data, performer);
