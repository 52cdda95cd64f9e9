// CVSS base scores computed from vector strings, for advisories (OSV) that give only the vector:
// v3.0/v3.1 (`CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H`) with the v3.1 specification's
// formulas and rounding, and v2 (`AV:N/AC:L/Au:N/C:P/I:P/A:P`). Temporal and environmental
// metrics in the vector are ignored; a vector missing a base metric has no score.

type Weights = Record<string, number>;

/** Reads `KEY:VALUE/…` into a map; the version prefix and parentheses are dropped. */
function metrics(vector: string): Map<string, string> {
  const parts = vector.trim().replace(/^\(|\)$/g, "").split("/");
  const map = new Map<string, string>();
  for (const part of parts) {
    const [key, value] = part.split(":");
    if (key && value !== undefined && key !== "CVSS") map.set(key, value);
  }
  return map;
}

/** The weight of each named metric, or undefined when one is missing or has an unknown value. */
function weigh(map: Map<string, string>, table: Record<string, Weights>): Record<string, number> | undefined {
  const weights: Record<string, number> = {};
  for (const [metric, values] of Object.entries(table)) {
    const weight = values[map.get(metric) ?? ""];
    if (weight === undefined) return undefined;
    weights[metric] = weight;
  }
  return weights;
}

const CVSS3: Record<string, Weights> = {
  AV: { N: 0.85, A: 0.62, L: 0.55, P: 0.2 },
  AC: { L: 0.77, H: 0.44 },
  UI: { N: 0.85, R: 0.62 },
  C: { H: 0.56, L: 0.22, N: 0 },
  I: { H: 0.56, L: 0.22, N: 0 },
  A: { H: 0.56, L: 0.22, N: 0 },
};
/** Privileges Required weighs more when the scope changes. */
const CVSS3_PR: Record<"U" | "C", Weights> = { U: { N: 0.85, L: 0.62, H: 0.27 }, C: { N: 0.85, L: 0.68, H: 0.5 } };

/** CVSS v3.1's Roundup: the smallest one-decimal number not below the input, robust to float error. */
function roundUp(value: number): number {
  const scaled = Math.round(value * 100_000);
  return scaled % 10_000 === 0 ? scaled / 100_000 : (Math.floor(scaled / 10_000) + 1) / 10;
}

export function cvss3BaseScore(vector: string): number | undefined {
  if (!/^CVSS:3\.[01]\//.test(vector.trim())) return undefined;
  const map = metrics(vector);
  const scope = map.get("S");
  if (scope !== "U" && scope !== "C") return undefined;
  const w = weigh(map, { ...CVSS3, PR: CVSS3_PR[scope] });
  if (!w) return undefined;
  const iss = 1 - (1 - w.C!) * (1 - w.I!) * (1 - w.A!);
  const impact = scope === "U" ? 6.42 * iss : 7.52 * (iss - 0.029) - 3.25 * (iss - 0.02) ** 15;
  const exploitability = 8.22 * w.AV! * w.AC! * w.PR! * w.UI!;
  if (impact <= 0) return 0;
  const total = scope === "U" ? impact + exploitability : 1.08 * (impact + exploitability);
  return roundUp(Math.min(total, 10));
}

const CVSS2: Record<string, Weights> = {
  AV: { L: 0.395, A: 0.646, N: 1 },
  AC: { H: 0.35, M: 0.61, L: 0.71 },
  Au: { M: 0.45, S: 0.56, N: 0.704 },
  C: { N: 0, P: 0.275, C: 0.66 },
  I: { N: 0, P: 0.275, C: 0.66 },
  A: { N: 0, P: 0.275, C: 0.66 },
};

export function cvss2BaseScore(vector: string): number | undefined {
  const w = weigh(metrics(vector), CVSS2);
  if (!w) return undefined;
  const impact = 10.41 * (1 - (1 - w.C!) * (1 - w.I!) * (1 - w.A!));
  const exploitability = 20 * w.AV! * w.AC! * w.Au!;
  const score = (0.6 * impact + 0.4 * exploitability - 1.5) * (impact === 0 ? 0 : 1.176);
  return Math.round(score * 10) / 10;
}
