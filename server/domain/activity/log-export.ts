// Log export (Quay's exportlogs): a request is checked and queued; a job writes the selected rows
// as one JSON file into blob storage (an upload area of its own, under an unguessable id), then
// POSTs a signed link to the callback URL or mails it. The link carries its expiry (an hour) and
// an HMAC over id, size and expiry, so no table is needed to serve it. One export per namespace
// runs at a time: the job holds a per-namespace advisory lock for its whole run.
import { createHmac, randomUUID } from "node:crypto";
import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";
import { sql } from "drizzle-orm";
import type { Db, DbOrTx } from "../../../db/client.ts";
import type { Actor } from "../access/principal.ts";
import { performerId } from "../access/principal.ts";
import type { Clock } from "../clock.ts";
import type { JobQueue } from "../job-queue.ts";
import type { BlobStore } from "../../storage/blob-store.ts";
import { writeAudit } from "./audit.ts";
import { allLogRows, type LogRow } from "./logs.ts";

export const LOG_EXPORT_QUEUE = "log-export";
/** How long an export's link works (Quay's EXPORT_ACTION_LOGS_SECONDS). */
export const EXPORT_LINK_SECONDS = 3600;
/** The range an export covers when the request names no start. */
export const DEFAULT_EXPORT_DAYS = 30;
/** Name of the instance secret that signs download links. */
export const LOG_EXPORT_LINK_KEY = "log_export_link_key";
/** Key of the per-namespace advisory lock (with the namespace id as the second key). */
const EXPORT_LOCK = 0x6c_6f_67_78; // "logx"
const CALLBACK_TIMEOUT_MS = 10_000;

/** What the queue carries: one export, whose rows are those of a namespace or a repository. */
export interface LogExportJob {
  exportId: string;
  namespaceId: number;
  namespaceName: string;
  repositoryId: number | null;
  repositoryName: string | null;
  /** ISO times: inclusive start, exclusive end. */
  start: string;
  end: string;
  callbackUrl: string | null;
  callbackEmail: string | null;
  /** scheme://host the download link starts with (the one the request came to). */
  linkBase: string;
}

/** The job that removes an export's file once its link has expired (a minute's margin). */
export const expiredFileJob = (file: string) => ({ data: { expiredFile: file }, options: { startAfter: EXPORT_LINK_SECONDS + 60 } });

/** Addresses a callback may not reach unless its host is explicitly allowed (Quay's SSRF rules). */
const INTERNAL = new BlockList();
for (const [net, bits] of [
  ["0.0.0.0", 8], ["10.0.0.0", 8], ["100.64.0.0", 10], ["127.0.0.0", 8], ["169.254.0.0", 16], ["172.16.0.0", 12],
  ["192.0.0.0", 24], ["192.168.0.0", 16], ["198.18.0.0", 15], ["224.0.0.0", 4], ["240.0.0.0", 4],
] as const) INTERNAL.addSubnet(net, bits, "ipv4");
for (const [net, bits] of [["::", 128], ["::1", 128], ["fc00::", 7], ["fe80::", 10], ["ff00::", 8]] as const) {
  INTERNAL.addSubnet(net, bits, "ipv6");
}

function isInternal(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return INTERNAL.check(mapped[1]!, "ipv4");
  return INTERNAL.check(address, isIP(address) === 6 ? "ipv6" : "ipv4");
}

/**
 * Why a callback URL may not be used, or null: it must be http(s), and unless its host is in
 * `allowedHosts` every address it resolves to must be a public one (no loopback, private, link-local…).
 */
export async function callbackUrlProblem(text: string, allowedHosts: readonly string[]): Promise<string | null> {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return "Invalid callback URL";
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return "Invalid callback URL";
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (allowedHosts.some((h) => h.toLowerCase() === host || h.toLowerCase() === url.host.toLowerCase())) return null;
  try {
    const addresses = isIP(host) ? [{ address: host }] : await lookup(host, { all: true });
    if (addresses.length === 0 || addresses.some((a) => isInternal(a.address))) return "Invalid callback URL";
  } catch {
    return "Invalid callback URL";
  }
  return null;
}

/** Quay's check of the callback e-mail: it must hold an @. */
export const callbackEmailProblem = (email: string) => (email.includes("@") ? null : "Invalid callback e-mail");

/** Who asked and where, for the audit rows of a request. */
export interface ExportRequestFacts {
  namespaceId: number;
  repositoryId: number | null;
  repositoryName: string | null;
  callbackUrl: string | null;
  callbackEmail: string | null;
}

const auditMetadata = (facts: ExportRequestFacts, more: Record<string, unknown>) => ({
  ...(facts.repositoryName === null ? {} : { repo: facts.repositoryName }),
  ...more,
  url: facts.callbackUrl,
  email: facts.callbackEmail,
});

/** Queues an export and records `export_logs_success` (as Quay does, at request time); its id. */
export async function requestLogExport(
  db: Db,
  queue: JobQueue,
  job: Omit<LogExportJob, "exportId">,
  actor: Actor,
): Promise<string> {
  const exportId = randomUUID();
  await queue.send(LOG_EXPORT_QUEUE, { ...job, exportId } satisfies LogExportJob);
  await writeAudit(db, {
    kind: "export_logs_success",
    namespaceId: job.namespaceId,
    repositoryId: job.repositoryId,
    performerId: performerId(actor),
    ip: actor.ip,
    metadata: auditMetadata(job, { export_id: exportId }),
  });
  return exportId;
}

/** An export as a door receives it: whose rows, which range (null when it could not be read), where the link goes. */
export interface LogExportRequest extends ExportRequestFacts {
  namespaceName: string;
  range: { start: Date; end: Date } | null;
  /** scheme://host the download link starts with. */
  linkBase: string;
}

/**
 * Checks an export request (a callback URL must pass Quay's SSRF rule, an e-mail hold an @, the
 * range be readable) and queues it: its id, or the problem, recorded as `export_logs_failure`.
 * The API and the logs pages both ask through here.
 */
export async function exportLogs(
  svc: { db: Db; jobs?: JobQueue; ssrfAllowedHosts: readonly string[] },
  request: LogExportRequest,
  actor: Actor,
): Promise<{ exportId: string } | { problem: string }> {
  const { range, namespaceName, linkBase, ...facts } = request;
  const problem =
    (facts.callbackUrl && (await callbackUrlProblem(facts.callbackUrl, svc.ssrfAllowedHosts))) ||
    (facts.callbackEmail && callbackEmailProblem(facts.callbackEmail)) ||
    (range ? null : "Invalid time span selected");
  if (problem || !range) {
    const reason = problem || "Invalid time span selected";
    await recordExportFailure(svc.db, facts, actor, reason);
    return { problem: reason };
  }
  if (!svc.jobs) throw new Error("log export needs the job queue");
  const job = { ...facts, namespaceName, start: range.start.toISOString(), end: range.end.toISOString(), linkBase };
  return { exportId: await requestLogExport(svc.db, svc.jobs, job, actor) };
}

/** Records a refused request as `export_logs_failure`. */
export async function recordExportFailure(db: DbOrTx, facts: ExportRequestFacts, actor: Actor, error: string): Promise<void> {
  await writeAudit(db, {
    kind: "export_logs_failure",
    namespaceId: facts.namespaceId,
    repositoryId: facts.repositoryId,
    performerId: performerId(actor),
    ip: actor.ip,
    metadata: auditMetadata(facts, { error }),
  });
}

/** The parts of a download link that its signature covers. */
export interface ExportLink {
  file: string;
  size: number;
  /** Unix seconds. */
  expires: number;
}

const signatureOf = (key: Uint8Array, link: ExportLink) =>
  createHmac("sha256", key).update(`${link.file}.${link.size}.${link.expires}`).digest("base64url");

export function exportLinkUrl(baseUrl: string, key: Uint8Array, link: ExportLink): string {
  const query = new URLSearchParams({ size: String(link.size), expires: String(link.expires), signature: signatureOf(key, link) });
  return `${baseUrl}/exportedlogs/${link.file}?${query}`;
}

/**
 * Whether a download may be served: "forbidden" for a link this instance did not sign (or that
 * was edited), "expired" once its hour is over.
 */
export function checkExportLink(key: Uint8Array, link: ExportLink, signature: string, now: Date): "ok" | "forbidden" | "expired" {
  const expected = signatureOf(key, link);
  if (signature.length !== expected.length || !timingSafeEqualText(signature, expected)) return "forbidden";
  return now.getTime() >= link.expires * 1000 ? "expired" : "ok";
}

function timingSafeEqualText(a: string, b: string): boolean {
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

export interface ExportServices {
  db: Db;
  store: BlobStore;
  clock: Clock;
  /** Signs download links. */
  linkKey: Uint8Array;
  /** Callback hosts exempt from the SSRF check. */
  allowedHosts: readonly string[];
  /** Mails the link; undefined when this instance sends no mail. */
  sendMail?: (mail: { to: string; subject: string; text: string }) => Promise<void>;
  /** The JSON of one row in the file (Quay's log view). */
  view: (row: LogRow) => unknown;
}

const quayDay = (iso: string) => {
  const d = new Date(iso);
  return `${String(d.getUTCMonth() + 1).padStart(2, "0")}/${String(d.getUTCDate()).padStart(2, "0")}/${d.getUTCFullYear()}`;
};

/**
 * Runs one export: waits for the namespace's previous export to finish, writes the file, then
 * reports the link; the file's id. A callback that does not answer 2xx fails the job (the queue
 * retries it).
 */
export async function runLogExport(svc: ExportServices, job: LogExportJob): Promise<string> {
  return svc.db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${EXPORT_LOCK}::int, ${job.namespaceId}::int)`);
    const file = randomUUID();
    const encoder = new TextEncoder();
    const filter = {
      scope: job.repositoryId === null ? { namespaceId: job.namespaceId } : { repositoryId: job.repositoryId },
      start: new Date(job.start),
      end: new Date(job.end),
    };
    async function* body(): AsyncGenerator<Uint8Array> {
      const details = { start_time: job.start, end_time: job.end, namespace: job.namespaceName, repository: job.repositoryName };
      yield encoder.encode(`{"export_id":${JSON.stringify(job.exportId)},"details":${JSON.stringify(details)},"logs":[`);
      for await (const rows of allLogRows(tx, filter)) yield encoder.encode(rows.map((r) => `${JSON.stringify(svc.view(r))},`).join(""));
      yield encoder.encode(`{"terminator":true}]}`);
    }
    let size = 0;
    const part = await svc.store.writePart(file, 0, body(), (chunk) => (size += chunk.length));
    await svc.store.appendPart(file, part);
    const expires = Math.floor(svc.clock.now().getTime() / 1000) + EXPORT_LINK_SECONDS;
    const url = exportLinkUrl(job.linkBase, svc.linkKey, { file, size, expires });
    await report(svc, job, url);
    return file;
  });
}

async function report(svc: ExportServices, job: LogExportJob, url: string): Promise<void> {
  if (job.callbackUrl && (await callbackUrlProblem(job.callbackUrl, svc.allowedHosts)) === null) {
    const res = await fetch(job.callbackUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        export_id: job.exportId,
        start_time: quayDay(job.start),
        end_time: quayDay(job.end),
        namespace: job.namespaceName,
        repository: job.repositoryName,
        exported_data_url: url,
        status: "success",
      }),
      redirect: "manual",
      signal: AbortSignal.timeout(CALLBACK_TIMEOUT_MS),
    });
    await res.body?.cancel();
    if (!res.ok) throw new Error(`log export callback answered ${res.status}`);
  }
  if (job.callbackEmail && svc.sendMail) {
    const what = job.repositoryName ? `${job.namespaceName}/${job.repositoryName}` : job.namespaceName;
    await svc.sendMail({
      to: job.callbackEmail,
      subject: `Usage logs of ${what} exported`,
      text: `The usage logs of ${what} you asked for (export ${job.exportId}) are ready:\n\n${url}\n\nThe link expires in an hour.\n`,
    });
  }
}
