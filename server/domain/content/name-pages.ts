// Paging through a sorted list of names held in memory, as the registry's `n`/`last` listings
// do. Names here are ASCII (the OCI grammar), so JavaScript's string order is byte order.

/** Up to `limit` names after `last` (from the start without it). */
export function pageAfter(sorted: string[], last: string | undefined, limit: number): string[] {
  let start = 0;
  if (last !== undefined) {
    let high = sorted.length;
    while (start < high) {
      const mid = (start + high) >>> 1;
      if (sorted[mid]! <= last) start = mid + 1;
      else high = mid;
    }
  }
  return sorted.slice(start, start + limit);
}
