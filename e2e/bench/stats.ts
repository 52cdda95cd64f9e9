// Small statistics helpers: medians and latency percentiles.

export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Nearest-rank percentile (p in 0..100). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export const MiB = 1024 * 1024;

/** Milliseconds since `start` (a performance.now() value). */
export const since = (start: number) => performance.now() - start;

/** MiB per second for `bytes` moved in `ms` milliseconds. */
export const mibPerSecond = (bytes: number, ms: number) => bytes / MiB / (ms / 1000);
