// How numbers, digests and times read on a page.

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB"];

/** 1536 → "1.5 KiB". */
export function humanSize(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(value < 10 ? 1 : 0)} ${UNITS[unit]}`;
}

/** "sha256:0123456789abcdef…" → "sha256:0123456789ab": enough to tell manifests apart. */
export function shortDigest(digest: string): string {
  const colon = digest.indexOf(":");
  return colon < 0 ? digest.slice(0, 12) : digest.slice(0, colon + 13);
}

/** An unambiguous timestamp for tooltips and machine-readable attributes. */
export const isoTime = (date: Date) => date.toISOString();

/** "3 minutes ago", relative to `now` (passed in so the page is rendered against one clock). */
export function timeAgo(date: Date, now: Date): string {
  const seconds = Math.max(0, Math.round((now.getTime() - date.getTime()) / 1000));
  const steps: Array<[number, string]> = [
    [60, "second"],
    [60, "minute"],
    [24, "hour"],
    [30, "day"],
    [12, "month"],
    [Number.POSITIVE_INFINITY, "year"],
  ];
  let value = seconds;
  for (const [size, unit] of steps) {
    if (value < size) {
      if (unit === "second" && value < 10) return "just now";
      return `${value} ${unit}${value === 1 ? "" : "s"} ago`;
    }
    value = Math.floor(value / size);
  }
  return isoTime(date);
}
