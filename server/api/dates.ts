// Quay's date formats: RFC 2822 in GMT with a "-0000" zone (Python's email.utils.formatdate),
// and whole Unix seconds.

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const pad = (n: number) => String(n).padStart(2, "0");

/** e.g. "Tue, 05 Mar 2024 12:00:00 -0000" */
export function rfc2822(date: Date): string {
  return (
    `${DAYS[date.getUTCDay()]}, ${pad(date.getUTCDate())} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()} ` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} -0000`
  );
}

export const unixSeconds = (date: Date) => Math.floor(date.getTime() / 1000);

/** `YYYY-MM-DD` of the UTC day. */
export const isoDay = (date: Date) => date.toISOString().slice(0, 10);
