// Actions per day by kind, drawn on the server as stacked SVG bars (no script, no chart library).
// The bars stretch to any width; the labels (largest count, first and last day, the legend) are
// HTML around the drawing so they stay readable on a phone.

export interface LogChartCount {
  kind: string;
  /** The UTC day, YYYY-MM-DD. */
  day: string;
  count: number;
}

export interface LogChartProps {
  /** Every day of the range, oldest first, YYYY-MM-DD. */
  days: string[];
  /** Actions per kind and day; days outside `days` are left out. */
  counts: LogChartCount[];
}

/** Kinds drawn in a colour of their own; the rest share "other". */
const PALETTE = ["#0066cc", "#3e8635", "#c46100", "#8476d1", "#009596", "#b1380b"];
const OTHER_COLOUR = "#6a6e73";
const WIDTH = 1000;
const HEIGHT = 160;

export interface ChartSeries {
  label: string;
  colour: string;
  total: number;
  /** Count per day, in the order of `days`. */
  perDay: number[];
}

/** The busiest kinds first, each with its colour; kinds past the palette are summed as "other". */
export function chartSeries({ days, counts }: LogChartProps): ChartSeries[] {
  const dayIndex = new Map(days.map((d, i) => [d, i]));
  const byKind = new Map<string, number[]>();
  for (const { kind, day, count } of counts) {
    const i = dayIndex.get(day);
    if (i === undefined) continue;
    const perDay = byKind.get(kind) ?? days.map(() => 0);
    perDay[i]! += count;
    byKind.set(kind, perDay);
  }
  const sum = (perDay: number[]) => perDay.reduce((a, b) => a + b, 0);
  const kinds = [...byKind].sort(([ka, a], [kb, b]) => sum(b) - sum(a) || ka.localeCompare(kb));
  const own = kinds.slice(0, PALETTE.length).map(([kind, perDay], i) => ({ label: kind, colour: PALETTE[i]!, total: sum(perDay), perDay }));
  const rest = kinds.slice(PALETTE.length);
  if (rest.length === 0) return own;
  const perDay = days.map((_, i) => rest.reduce((total, [, counts]) => total + counts[i]!, 0));
  return [...own, { label: `${rest.length} other kinds`, colour: OTHER_COLOUR, total: sum(perDay), perDay }];
}

export function LogChart(props: LogChartProps) {
  const series = chartSeries(props);
  const { days } = props;
  const totals = days.map((_, i) => series.reduce((t, s) => t + s.perDay[i]!, 0));
  const top = Math.max(0, ...totals);
  const all = totals.reduce((a, b) => a + b, 0);
  const slot = WIDTH / Math.max(1, days.length);
  const barWidth = Math.max(1, slot * 0.7);
  const busiest = totals.indexOf(top);
  const summary =
    all === 0
      ? `No actions from ${days[0]} to ${days.at(-1)}.`
      : `${all} actions from ${days[0]} to ${days.at(-1)}; the busiest day was ${days[busiest]} with ${top}.`;
  const bars = days.flatMap((day, i) => {
    let y = HEIGHT;
    return series.flatMap((s) => {
      const count = s.perDay[i]!;
      if (count === 0) return [];
      const height = (count / top) * HEIGHT;
      y -= height;
      return [
        <rect x={(i * slot + (slot - barWidth) / 2).toFixed(1)} y={y.toFixed(1)} width={barWidth.toFixed(1)} height={height.toFixed(1)} fill={s.colour} data-kind={s.label} data-day={day} data-count={count}>
          <title>{`${day}: ${count} ${s.label}`}</title>
        </rect>,
      ];
    });
  });
  return (
    <figure class="qs-log-chart" data-testid="log-chart">
      <div class="qs-log-chart-plot">
        <span class="qs-log-chart-top qs-muted" aria-hidden="true">
          {top}
        </span>
        <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} preserveAspectRatio="none" role="img" aria-label={`Actions per day by kind. ${summary}`}>
          <line x1="0" y1={HEIGHT - 0.5} x2={WIDTH} y2={HEIGHT - 0.5} class="qs-log-chart-axis" />
          {bars}
        </svg>
      </div>
      <div class="qs-log-chart-days qs-muted" aria-hidden="true">
        <span>{days[0]}</span>
        <span>{days.at(-1)}</span>
      </div>
      <figcaption>
        <p class="pf-v6-screen-reader">{summary}</p>
        {series.length > 0 && (
          <ul class="qs-log-chart-legend" aria-label="Actions by kind">
            {series.map((s) => (
              <li data-testid="log-chart-kind">
                <span class="qs-log-chart-swatch" style={`background:${s.colour}`} aria-hidden="true" />
                <code>{s.label}</code> {s.total}
              </li>
            ))}
          </ul>
        )}
      </figcaption>
    </figure>
  );
}

/** The UTC days from `start` to `end`, both included, as YYYY-MM-DD. */
export function utcDays(start: Date, end: Date): string[] {
  const days: string[] = [];
  const day = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate()));
  for (; day <= end; day.setUTCDate(day.getUTCDate() + 1)) days.push(day.toISOString().slice(0, 10));
  return days;
}
