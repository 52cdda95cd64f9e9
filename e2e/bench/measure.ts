// What one benchmark row holds, and running the two registries in alternation (A B A B …).
import { execFile } from "node:child_process";
import { median, percentile } from "./stats.ts";

/** One run of one operation against one server. */
export interface Sample {
  value: number;
  p50Ms?: number;
  p99Ms?: number;
  /** Individual request latencies (pooled over runs for p50/p99). */
  latenciesMs?: number[];
  errors?: number;
}

export interface SideResult {
  median: number;
  runs: number[];
  p50Ms?: number;
  p99Ms?: number;
  errors: number;
}

export type Target =
  | { kind: "ratio"; min: number }
  | { kind: "limit"; fraction: number; limit: string }
  /** Quayside's p99 latency must stay under `maxMs`. */
  | { kind: "p99"; maxMs: number }
  | { kind: "none"; text: string };

export interface Row {
  section: "Operations" | "Scale";
  name: string;
  unit: string;
  higherIsBetter: boolean;
  quayside?: SideResult;
  distribution?: SideResult;
  /** Physical limits measured the same way: nginx (sendfile), a bare Node server. */
  limits: { label: string; result: SideResult }[];
  /** Quayside's resident memory just before the row, and its peak during it. */
  quaysideRssBeforeBytes?: number;
  quaysidePeakRssBytes?: number;
  target: Target;
  note?: string;
}

export function summarize(samples: Sample[]): SideResult {
  const pooled = samples.flatMap((s) => s.latenciesMs ?? []);
  const p50s = samples.map((s) => s.p50Ms).filter((v): v is number => v !== undefined);
  const p99s = samples.map((s) => s.p99Ms).filter((v): v is number => v !== undefined);
  return {
    median: median(samples.map((s) => s.value)),
    runs: samples.map((s) => s.value),
    p50Ms: pooled.length > 0 ? percentile(pooled, 50) : p50s.length > 0 ? median(p50s) : undefined,
    p99Ms: pooled.length > 0 ? percentile(pooled, 99) : p99s.length > 0 ? median(p99s) : undefined,
    errors: samples.reduce((sum, s) => sum + (s.errors ?? 0), 0),
  };
}

/**
 * Runs every side once per repetition, in the same order each time (A B A B …). `prepare`
 * builds the repetition's input (e.g. a fresh blob) before any clock starts.
 */
export async function alternate<Input>(
  reps: number,
  prepare: (rep: number) => Promise<Input> | Input,
  sides: Record<string, (input: Input, rep: number) => Promise<Sample>>,
): Promise<Record<string, SideResult>> {
  const samples: Record<string, Sample[]> = Object.fromEntries(Object.keys(sides).map((k) => [k, []]));
  for (let rep = 0; rep < reps; rep++) {
    const input = await prepare(rep);
    for (const [name, run] of Object.entries(sides)) samples[name]!.push(await run(input, rep));
  }
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, summarize(v)]));
}

/** Flushes dirty pages so each timed write starts from the same state. */
export function syncDisks(): Promise<void> {
  return new Promise((resolveSync, reject) => execFile("sync", (err) => (err ? reject(err) : resolveSync())));
}
