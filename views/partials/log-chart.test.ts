import { describe, expect, it } from "vitest";
import { chartSeries, LogChart, utcDays } from "./log-chart.tsx";

const DAYS = ["2026-11-01", "2026-11-02", "2026-11-03"];

/** The drawn bars: kind, day, count and height, in drawing order. */
function bars(html: string) {
  return [...html.matchAll(/<rect [^>]*height="([\d.]+)"[^>]*data-kind="([^"]+)" data-day="([^"]+)" data-count="(\d+)"/g)].map(([, height, kind, day, count]) => ({
    kind,
    day,
    count: Number(count),
    height: Number(height),
  }));
}

describe("log chart", () => {
  it("stacks each day's kinds, the busiest day at full height, busiest kind first", () => {
    const html = String(
      LogChart({
        days: DAYS,
        counts: [
          { kind: "pull_repo", day: "2026-11-01", count: 3 },
          { kind: "push_repo", day: "2026-11-01", count: 1 },
          { kind: "pull_repo", day: "2026-11-03", count: 2 },
          { kind: "push_repo", day: "2026-10-31", count: 9 }, // outside the range
        ],
      }),
    );
    expect(bars(html)).toEqual([
      { kind: "pull_repo", day: "2026-11-01", count: 3, height: 120 },
      { kind: "push_repo", day: "2026-11-01", count: 1, height: 40 },
      { kind: "pull_repo", day: "2026-11-03", count: 2, height: 80 },
    ]);
    expect(html).toContain('aria-label="Actions per day by kind. 6 actions from 2026-11-01 to 2026-11-03; the busiest day was 2026-11-01 with 4."');
    expect([...html.matchAll(/<li data-testid="log-chart-kind">.*?<\/li>/g)].map(([li]) => li.replace(/<[^>]+>/g, ""))).toEqual(["pull_repo 5", "push_repo 1"]);
  });

  it("sums kinds past the palette as one 'other' series", () => {
    const counts = ["a", "b", "c", "d", "e", "f", "g", "h"].map((kind, i) => ({ kind, day: DAYS[0]!, count: 10 - i }));
    const series = chartSeries({ days: DAYS, counts });
    expect(series.map((s) => [s.label, s.total])).toEqual([["a", 10], ["b", 9], ["c", 8], ["d", 7], ["e", 6], ["f", 5], ["2 other kinds", 7]]);
    expect(new Set(series.map((s) => s.colour)).size).toBe(7);
  });

  it("draws no bars and says so for a quiet range", () => {
    const html = String(LogChart({ days: DAYS, counts: [] }));
    expect(bars(html)).toEqual([]);
    expect(html).toContain("No actions from 2026-11-01 to 2026-11-03.");
  });

  it("lists the UTC days of a range, both ends included", () => {
    expect(utcDays(new Date("2026-10-30T23:00:00Z"), new Date("2026-11-02T01:00:00Z"))).toEqual(["2026-10-30", "2026-10-31", "2026-11-01", "2026-11-02"]);
  });
});
