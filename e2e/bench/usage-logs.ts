// Usage-log API rows (issue 13: under 200 ms for a namespace with 10 million log rows). The rows
// are filled behind the server's back with generate_series, spread over the last 90 days, then
// Quay's list endpoints are read by one signed-in connection, so latency is server time.
import type { Row } from "./measure.ts";
import { type Scale, TAGS_REPO } from "./scale.ts";
import { latencyRow } from "./tags-tab.ts";

const LOG_ROWS = 10_000_000;
const DAYS = 90;
let filled = false;

const quayDay = (d: Date) =>
  `${String(d.getUTCMonth() + 1).padStart(2, "0")}/${String(d.getUTCDate()).padStart(2, "0")}/${d.getUTCFullYear()}`;

/** Gives the bench namespace its 10 million log rows (once per run: the logs page rows share them). */
export async function fillUsageLogs(s: Scale): Promise<void> {
  if (filled) return;
  const [namespace, repo] = TAGS_REPO.split("/") as [string, string];
  await s.quaysideDb.addLogRows(namespace, repo, LOG_ROWS, DAYS);
  filled = true;
}

export async function usageLogApiRows(s: Scale): Promise<Row[]> {
  await fillUsageLogs(s);
  const b = s.bench;
  const rows = LOG_ROWS.toLocaleString("en-US");
  const month = `starttime=${quayDay(new Date(Date.now() - 30 * 86_400_000))}&endtime=${quayDay(new Date())}`;
  const hasLogs = (json: string) => (JSON.parse(json) as { logs: unknown[] }).logs.length === 20;
  const note = "Quayside only; 20 rows a page, newest first";
  // A page deep in the month: its next_page token, taken from a first page 45 days back.
  const older = `starttime=${quayDay(new Date(Date.now() - 60 * 86_400_000))}&endtime=${quayDay(new Date(Date.now() - 45 * 86_400_000))}`;
  return [
    await latencyRow(b, `GET /api/v1/user/logs, ${rows} rows in the namespace (default: last day)`, "/api/v1/user/logs", hasLogs, note, 200),
    await latencyRow(b, `GET /api/v1/user/logs, ${rows} rows (last 30 days, text-free first page)`, `/api/v1/user/logs?${month}`, hasLogs, note, 200),
    await latencyRow(b, `GET /api/v1/user/logs, ${rows} rows (a range 45-60 days back)`, `/api/v1/user/logs?${older}`, hasLogs, note, 200),
    await latencyRow(b, `GET /api/v1/repository/{repo}/logs, ${rows} rows in the namespace (last 30 days)`, `/api/v1/repository/${TAGS_REPO}/logs?${month}`, hasLogs, note, 200),
  ];
}
