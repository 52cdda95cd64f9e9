// The usage-log pages (issue 13: under 200 ms for a namespace with 10 million log rows), on the
// rows the API rows fill (fillUsageLogs: 10 million spread over 90 days, about 110 000 a day). A
// page reads one page of entries and the chart's counts per kind and day for its range.
import type { Row } from "./measure.ts";
import { TAGS_REPO, type Scale } from "./scale.ts";
import { latencyRow } from "./tags-tab.ts";
import { fillUsageLogs } from "./usage-logs.ts";

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export async function usageLogPageRows(s: Scale): Promise<Row[]> {
  await fillUsageLogs(s);
  const b = s.bench;
  const hasRows = (html: string) => html.includes('data-testid="log-row"') && html.includes('data-testid="log-chart"');
  const note = "Quayside only; 50 rows and the chart of the range";
  const day = `from=${isoDay(Date.now())}&to=${isoDay(Date.now())}`;
  return [
    await latencyRow(b, "Usage logs page, 10,000,000 rows in the namespace (default: last 7 days)", "/settings/logs", hasRows, note, 200),
    await latencyRow(b, "Usage logs page, 10,000,000 rows in the namespace (today)", `/settings/logs?${day}`, hasRows, note, 200),
    await latencyRow(b, "Usage logs page, 10,000,000 rows (last 7 days, text filter)", "/settings/logs?filter=pull", hasRows, note, 200),
    await latencyRow(b, "Repository Usage logs tab, 10,000,000 rows in the namespace (last 7 days)", `/repository/${TAGS_REPO}?tab=logs`, hasRows, note, 200),
  ];
}
