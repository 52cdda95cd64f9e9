// The results: a Markdown table (printed and written to results/latest.md) and the same data as
// JSON (results/latest.json) with the machine and the versions measured.
import { execFileSync } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { cpus, availableParallelism, release, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Row, SideResult } from "./measure.ts";

export const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), "results");

export interface Machine {
  cpuModel: string;
  cores: number;
  memoryBytes: number;
  kernel: string;
}

export interface Versions {
  node: string;
  quaysideCommit: string;
  /** The working tree had uncommitted changes when measured. */
  quaysideDirty: boolean;
  distribution: string;
  nginx: string;
  postgres: string;
  wrk: string;
  skopeo: string;
  curl: string;
}

export interface MemorySummary {
  idleBytes: number;
  peakBytes: number;
  concurrentPushes?: { beforeBytes: number; peakBytes: number };
}

export interface Report {
  date: string;
  durationSeconds: number;
  machine: Machine;
  versions: Versions;
  settings: { reps: number; loadSeconds: number; limitSeconds: number };
  /** 1-minute load average before and after: other work on the machine makes numbers noisy. */
  loadAverage: { start: number; end: number };
  rows: Row[];
  memory: MemorySummary;
}

function run(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
  } catch {
    return "unknown";
  }
}

export function machine(): Machine {
  return {
    cpuModel: cpus()[0]?.model.trim() ?? "unknown",
    cores: availableParallelism(),
    memoryBytes: totalmem(),
    kernel: release(),
  };
}

export function toolVersions(): Pick<Versions, "node" | "quaysideCommit" | "quaysideDirty" | "wrk" | "skopeo" | "curl"> {
  return {
    node: process.version,
    quaysideCommit: run("git", ["rev-parse", "--short=12", "HEAD"]),
    quaysideDirty: run("git", ["status", "--porcelain", "--untracked-files=no"]) !== "",
    // "wrk debian/4.1.0-3+b2 [epoll] Copyright …" (wrk -v prints usage and exits 1)
    wrk: /wrk (\S+)/.exec(run("sh", ["-c", "wrk -v 2>&1 || true"]))?.[1] ?? "unknown",
    skopeo: run("skopeo", ["--version"]).replace(/^skopeo version /, ""),
    curl: run("curl", ["--version"]).split(" ")[1] ?? "unknown",
  };
}

/** > 1 means Quayside is better: a rate divided by distribution's, or distribution's time divided by ours. */
export function ratio(row: Row): number | undefined {
  if (!row.quayside || !row.distribution) return undefined;
  return row.higherIsBetter ? row.quayside.median / row.distribution.median : row.distribution.median / row.quayside.median;
}

export function targetMet(row: Row): boolean | undefined {
  const t = row.target;
  if (t.kind === "ratio") {
    const r = ratio(row);
    return r === undefined ? undefined : r >= t.min;
  }
  if (t.kind === "limit") {
    const limit = row.limits.find((l) => l.label === t.limit);
    return limit && row.quayside ? row.quayside.median >= t.fraction * limit.result.median : undefined;
  }
  if (t.kind === "p99") return row.quayside?.p99Ms === undefined ? undefined : row.quayside.p99Ms < t.maxMs;
  return undefined;
}

function targetText(row: Row): string {
  const t = row.target;
  if (t.kind === "ratio") return `≥ ${t.min}×`;
  if (t.kind === "limit") return `≥ ${Math.round(t.fraction * 100)}% of ${t.limit}`;
  if (t.kind === "p99") return `p99 < ${t.maxMs} ms`;
  return t.text;
}

function num(value: number, unit: string): string {
  if (!Number.isFinite(value)) return "–";
  const digits = unit === "s" ? 2 : unit === "ms" ? (value < 10 ? 2 : value < 100 ? 1 : 0) : value < 10 ? 1 : 0;
  return value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

function side(result: SideResult | undefined, unit: string): string {
  if (!result) return "–";
  const errors = result.errors > 0 ? ` ⚠ ${result.errors} errors` : "";
  return `${num(result.median, unit)}${errors}`;
}

function latency(result: SideResult | undefined): string {
  if (!result || result.p50Ms === undefined || result.p99Ms === undefined) return "";
  return `${num(result.p50Ms, "ms")} / ${num(result.p99Ms, "ms")}`;
}

function limits(row: Row): string {
  return row.limits
    .map((l) => {
      const share = row.quayside && row.higherIsBetter ? ` (Quayside ${Math.round((100 * row.quayside.median) / l.result.median)}%)` : "";
      return `${l.label}: ${num(l.result.median, row.unit)}${share}`;
    })
    .join("<br>");
}

export function renderMarkdown(report: Report): string {
  const m = report.machine;
  const v = report.versions;
  const lines: string[] = [];
  lines.push(`# Quayside vs CNCF distribution ${v.distribution}`);
  lines.push("");
  lines.push(
    `${report.date} · ${m.cpuModel}, ${m.cores} cores, ${(m.memoryBytes / 1024 ** 3).toFixed(0)} GiB RAM, Linux ${m.kernel} · ` +
      `Node ${v.node}, Quayside ${v.quaysideCommit}${v.quaysideDirty ? " (uncommitted changes)" : ""}, ` +
      `Postgres ${v.postgres} (embedded), nginx ${v.nginx}, wrk ${v.wrk}, skopeo ${v.skopeo}, curl ${v.curl} · ` +
      `${report.settings.reps}–${report.settings.reps + 2} runs per cell, alternating A B A B; ` +
      `load runs ${report.settings.loadSeconds} s (registries' manifest rows) / ${report.settings.limitSeconds} s (others) · ` +
      `whole run ${Math.round(report.durationSeconds)} s · ` +
      `load average ${report.loadAverage.start.toFixed(1)} before, ${report.loadAverage.end.toFixed(1)} after`,
  );
  lines.push("");
  lines.push(
    "Cells are medians. **Ratio = Quayside ÷ distribution for rates, distribution ÷ Quayside for times: " +
      "> 1× means Quayside is better.** p50 / p99 are request latencies in ms (from wrk, or per request for sequential rows). " +
      "Quayside runs with auth on (Bearer tokens from /v2/auth); distribution without auth.",
  );
  for (const section of ["Operations", "Scale"] as const) {
    const rows = report.rows.filter((r) => r.section === section);
    if (rows.length === 0) continue;
    lines.push("");
    lines.push(`## ${section}`);
    lines.push("");
    lines.push(
      "| Operation | Unit | Quayside | distribution | Ratio | Limit | Quayside p50 / p99 | distribution p50 / p99 | Quayside peak RSS | Target | Met |",
    );
    lines.push("|---|---|--:|--:|--:|---|--:|--:|--:|---|---|");
    for (const row of rows) {
      const r = ratio(row);
      const met = targetMet(row);
      lines.push(
        [
          "",
          row.name + (row.note ? ` — ${row.note}` : ""),
          row.unit,
          side(row.quayside, row.unit),
          side(row.distribution, row.unit),
          r === undefined ? "–" : `${r.toFixed(2)}×`,
          limits(row),
          latency(row.quayside),
          latency(row.distribution),
          row.quaysidePeakRssBytes ? mib(row.quaysidePeakRssBytes) : "",
          targetText(row),
          met === undefined ? "–" : met ? "yes" : "**no**",
          "",
        ].join(" | ").trim(),
      );
    }
  }
  const mem = report.memory;
  lines.push("");
  lines.push("## Quayside resident memory");
  lines.push("");
  lines.push(`- idle after start: ${mib(mem.idleBytes)}; peak over the whole run: ${mib(mem.peakBytes)}`);
  if (mem.concurrentPushes) {
    const c = mem.concurrentPushes;
    lines.push(
      `- 8 concurrent pushes: ${mib(c.beforeBytes)} before → ${mib(c.peakBytes)} peak (+${mib(c.peakBytes - c.beforeBytes)}); ` +
        "the 1 GiB single-layer push is measured by `npm run bench:memory`",
    );
  }
  lines.push("");
  lines.push("Reproduce: `npm run bench` (writes e2e/bench/results/latest.md and latest.json).");
  return lines.join("\n") + "\n";
}

/** Writes `<name>.md` and `<name>.json` under results/ and returns the Markdown. */
export async function writeReport(report: Report, name = "latest"): Promise<string> {
  const markdown = renderMarkdown(report);
  await mkdir(RESULTS_DIR, { recursive: true });
  await writeFile(join(RESULTS_DIR, `${name}.md`), markdown);
  const json = {
    ...report,
    ratioConvention: "ratio > 1 means Quayside is better (rates: Quayside/distribution; times: distribution/Quayside)",
    rows: report.rows.map((row) => ({ ...row, ratio: ratio(row), targetMet: targetMet(row) })),
  };
  await writeFile(join(RESULTS_DIR, `${name}.json`), JSON.stringify(json, null, 2) + "\n");
  return markdown;
}
