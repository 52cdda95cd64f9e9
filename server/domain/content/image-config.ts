// An image's config blob (OCI image config, Docker schema 2 "container config"): what the
// registry shows about an image beyond its manifest — labels, the build history that made each
// layer, platform and creation time. Pushed by anyone, so read defensively: a bounded read, and
// anything malformed simply yields less (never an error the push or a page would fail on).
import type { BlobStore } from "../../storage/blob-store.ts";

/** Configs larger than this are not read (real ones are a few KiB; history makes them grow). */
export const MAX_CONFIG_BYTES = 4 * 1024 * 1024;
/** History entries read at most: real builds have tens; a page need not list a million. */
export const MAX_HISTORY = 10_000;

/** One build step, as recorded in the config's `history`. */
export interface HistoryEntry {
  created: Date | null;
  /** The instruction that made the step, e.g. `/bin/sh -c #(nop) ENV A=b` or `COPY file /`. */
  createdBy: string | null;
  author: string | null;
  comment: string | null;
  /** True when the step changed no files and so made no layer (ENV, LABEL, CMD, …). */
  emptyLayer: boolean;
}

export interface ImageConfig {
  /** `config.Labels` with string values, in the config's order. */
  labels: [key: string, value: string][];
  history: HistoryEntry[];
  os: string | null;
  architecture: string | null;
  variant: string | null;
  created: Date | null;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const text = (v: unknown): string | null => (typeof v === "string" ? v : null);

function date(v: unknown): Date | null {
  if (typeof v !== "string") return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
}

function historyEntry(v: unknown): HistoryEntry {
  const h = isObject(v) ? v : {};
  return {
    created: date(h.created),
    createdBy: text(h.created_by),
    author: text(h.author),
    comment: text(h.comment),
    emptyLayer: h.empty_layer === true,
  };
}

/** Parses config bytes; null when they are not a JSON object. */
export function parseImageConfig(bytes: Uint8Array): ImageConfig | null {
  if (bytes.byteLength > MAX_CONFIG_BYTES) return null;
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    return null;
  }
  if (!isObject(body)) return null;
  const runConfig = isObject(body.config) ? body.config : {};
  const rawLabels = isObject(runConfig.Labels) ? runConfig.Labels : {};
  return {
    // Object.entries reads own keys only, so a "__proto__" label is just a label.
    labels: Object.entries(rawLabels).filter((e): e is [string, string] => typeof e[1] === "string"),
    history: Array.isArray(body.history) ? body.history.slice(0, MAX_HISTORY).map(historyEntry) : [],
    os: text(body.os),
    architecture: text(body.architecture),
    variant: text(body.variant),
    created: date(body.created),
  };
}

/** Reads and parses a stored config blob; null when missing, too large or unreadable. */
export async function readImageConfig(store: BlobStore, digest: string, size: number): Promise<ImageConfig | null> {
  if (size > MAX_CONFIG_BYTES) return null;
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    const stream = await store.read(digest, { start: 0, end: Math.max(0, size - 1) });
    for await (const chunk of stream as AsyncIterable<Uint8Array>) {
      total += chunk.byteLength;
      if (total > MAX_CONFIG_BYTES) {
        stream.destroy();
        return null;
      }
      chunks.push(chunk);
    }
  } catch {
    return null;
  }
  return parseImageConfig(Buffer.concat(chunks));
}

/** A step of the build: its history entry, and the layer it made (index into the manifest's layers), if any. */
export interface BuildStep {
  history: HistoryEntry | null;
  /** Index of the layer this step made; null for a step that made no layer. */
  layerIndex: number | null;
}

/**
 * Matches history to layers: each entry not marked `empty_layer` made the next layer, in order.
 * Without history (allowed by OCI) every layer is a step of unknown origin; history that runs
 * short leaves the remaining layers without a step, and extra non-empty entries are dropped.
 */
export function buildSteps(history: HistoryEntry[], layerCount: number): BuildStep[] {
  const steps: BuildStep[] = [];
  let next = 0;
  for (const entry of history) {
    if (entry.emptyLayer) steps.push({ history: entry, layerIndex: null });
    else if (next < layerCount) steps.push({ history: entry, layerIndex: next++ });
  }
  for (; next < layerCount; next++) steps.push({ history: null, layerIndex: next });
  return steps;
}

/** The instruction of a step without the shell wrapper builders add (`/bin/sh -c #(nop) `). */
export function instructionOf(createdBy: string | null): string | null {
  if (createdBy === null) return null;
  const nop = /^\/bin\/sh -c #\(nop\)\s*/.exec(createdBy);
  if (nop) return createdBy.slice(nop[0].length).trim();
  const run = /^\/bin\/sh -c /.exec(createdBy);
  if (run) return `RUN ${createdBy.slice(run[0].length).trim()}`;
  return createdBy.trim();
}
