import { describe, expect, it } from "vitest";
import {
  normalizeSeverity,
  severityFromCvss2Score,
  severityFromCvss3Score,
  severityFromOsv,
  type SeveritySource,
} from "./severity.ts";

// The table, row by row: [source, the source's word, normalized severity].
const TABLE: [SeveritySource, string, string][] = [
  ["alpine", "critical", "Unknown"],
  ["alpine", "high", "Unknown"],
  ["aws", "low", "Low"],
  ["aws", "medium", "Medium"],
  ["aws", "important", "High"],
  ["aws", "critical", "Critical"],
  ["aws", "moderate", "Unknown"],
  ["debian", "unimportant", "Low"],
  ["debian", "low", "Medium"],
  ["debian", "medium", "High"],
  ["debian", "high", "Critical"],
  ["debian", "not yet assigned", "Unknown"],
  ["debian", "end-of-life", "Unknown"],
  ["oracle", "N/A", "Unknown"],
  ["oracle", "LOW", "Low"],
  ["oracle", "MODERATE", "Medium"],
  ["oracle", "IMPORTANT", "High"],
  ["oracle", "CRITICAL", "Critical"],
  ["rhel", "None", "Unknown"],
  ["rhel", "Low", "Low"],
  ["rhel", "Moderate", "Medium"],
  ["rhel", "Important", "High"],
  ["rhel", "Critical", "Critical"],
  ["suse", "None", "Unknown"],
  ["suse", "Low", "Low"],
  ["suse", "Moderate", "Medium"],
  ["suse", "Important", "High"],
  ["suse", "Critical", "Critical"],
  ["ubuntu", "Untriaged", "Unknown"],
  ["ubuntu", "Negligible", "Negligible"],
  ["ubuntu", "Low", "Low"],
  ["ubuntu", "Medium", "Medium"],
  ["ubuntu", "High", "High"],
  ["ubuntu", "Critical", "Critical"],
  ["ubuntu", "whatever", "Unknown"],
];

describe("normalizeSeverity", () => {
  it.each(TABLE)("%s %s → %s", (source, value, severity) => {
    expect(normalizeSeverity(source, value)).toBe(severity);
    expect(normalizeSeverity(source, value.toUpperCase())).toBe(severity);
  });

  it("gives Unknown when the source has no word", () => {
    expect(normalizeSeverity("rhel", undefined)).toBe("Unknown");
  });
});

describe("CVSS score bands", () => {
  it.each([
    [0, "Negligible"],
    [0.1, "Low"],
    [3.9, "Low"],
    [4, "Medium"],
    [6.9, "Medium"],
    [7, "High"],
    [8.9, "High"],
    [9, "Critical"],
    [10, "Critical"],
    [11, "Unknown"],
    [Number.NaN, "Unknown"],
  ])("v3 %s → %s", (score, severity) => {
    expect(severityFromCvss3Score(score)).toBe(severity);
  });

  it.each([
    [0, "Low"],
    [3.9, "Low"],
    [4, "Medium"],
    [6.9, "Medium"],
    [7, "High"],
    [10, "High"],
    [-1, "Unknown"],
  ])("v2 %s → %s", (score, severity) => {
    expect(severityFromCvss2Score(score)).toBe(severity);
  });
});

describe("severityFromOsv", () => {
  it("prefers the CVSS v3 vector's base score", () => {
    expect(
      severityFromOsv([
        { type: "CVSS_V2", score: "AV:N/AC:L/Au:N/C:N/I:N/A:P" },
        { type: "CVSS_V3", score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" },
      ]),
    ).toBe("Critical");
    expect(severityFromOsv([{ type: "CVSS_V3", score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N" }])).toBe("Medium");
    expect(severityFromOsv([{ type: "CVSS_V3", score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N" }])).toBe(
      "Negligible",
    );
  });

  it("accepts a plain number as the score", () => {
    expect(severityFromOsv([{ type: "CVSS_V3", score: "7.5" }])).toBe("High");
  });

  it("falls back to CVSS v2 (whose top band is High), then an Ubuntu priority, then Unknown", () => {
    expect(severityFromOsv([{ type: "CVSS_V2", score: "AV:N/AC:L/Au:N/C:C/I:C/A:C" }])).toBe("High");
    expect(severityFromOsv([{ type: "CVSS_V3", score: "garbage" }, { type: "CVSS_V2", score: "AV:L/AC:L/Au:N/C:P/I:N/A:N" }])).toBe(
      "Low",
    );
    expect(severityFromOsv([{ type: "Ubuntu", score: "medium" }])).toBe("Medium");
    expect(severityFromOsv([{ type: "CVSS_V4", score: "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N" }])).toBe(
      "Unknown",
    );
    expect(severityFromOsv([])).toBe("Unknown");
  });
});
