import { describe, expect, it } from "vitest";
import { cvss2BaseScore, cvss3BaseScore } from "./cvss.ts";

describe("CVSS v3 base score from a vector", () => {
  it.each([
    ["CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8],
    ["CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10],
    ["CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H", 9.9],
    ["CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 7.5],
    ["CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8],
    ["CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1],
    ["CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:L/I:L/A:N", 5.4],
    ["CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N", 5.9],
    ["CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N", 1.6],
    ["CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0],
    ["CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8],
    // Temporal metrics do not change the base score; metric order does not matter.
    ["CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U/RL:O/RC:C", 9.8],
    ["CVSS:3.1/S:U/C:H/I:H/A:H/AV:N/AC:L/PR:N/UI:N", 9.8],
  ])("%s → %s", (vector, score) => {
    expect(cvss3BaseScore(vector)).toBe(score);
  });

  it("has no score for a vector missing a base metric, with a bad value, or of another version", () => {
    expect(cvss3BaseScore("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/C:H/I:H/A:H")).toBeUndefined();
    expect(cvss3BaseScore("CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")).toBeUndefined();
    expect(cvss3BaseScore("AV:N/AC:L/Au:N/C:P/I:P/A:P")).toBeUndefined();
    expect(cvss3BaseScore("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N")).toBeUndefined();
  });
});

describe("CVSS v2 base score from a vector", () => {
  it.each([
    ["AV:N/AC:L/Au:N/C:C/I:C/A:C", 10],
    ["AV:N/AC:L/Au:N/C:P/I:P/A:P", 7.5],
    ["AV:N/AC:L/Au:N/C:N/I:N/A:P", 5],
    ["AV:N/AC:M/Au:N/C:N/I:P/A:N", 4.3],
    ["AV:L/AC:L/Au:N/C:P/I:N/A:N", 2.1],
    ["AV:N/AC:L/Au:N/C:N/I:N/A:N", 0],
    ["(AV:N/AC:L/Au:N/C:P/I:P/A:P)", 7.5],
  ])("%s → %s", (vector, score) => {
    expect(cvss2BaseScore(vector)).toBe(score);
  });

  it("has no score for an incomplete vector", () => {
    expect(cvss2BaseScore("AV:N/AC:L/C:P/I:P/A:P")).toBeUndefined();
  });
});
