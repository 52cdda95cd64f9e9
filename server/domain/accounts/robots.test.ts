// Pure robot-account rules: Quay's short-name rule and messages, the token format, federation checks.
import { describe, expect, it } from "vitest";
import { federationProblem, isRobotName, newRobotToken, robotNameProblem } from "./robots.ts";

describe("robot rules", () => {
  it("takes Quay's user-name rule for short names, in its words", () => {
    for (const good of ["ci", "build_bot", "a.b-c", "x".repeat(255)]) expect(robotNameProblem(good)).toBeNull();
    expect(robotNameProblem("Bad")).toBe("Namespace must match expression ^([a-z0-9]+(?:[._-][a-z0-9]+)*)$");
    expect(robotNameProblem("a__b")).toMatch(/^Namespace must match/);
    expect(robotNameProblem("a")).toBe("Namespace must be between 2 and 255 characters in length");
    expect(robotNameProblem("x".repeat(256))).toMatch(/between 2 and 255/);
  });

  it("makes 64-character [A-Z0-9] tokens, each new", () => {
    const a = newRobotToken();
    expect(a).toMatch(/^[A-Z0-9]{64}$/);
    expect(newRobotToken()).not.toBe(a);
  });

  it("checks federation lists as Quay does", () => {
    expect(federationProblem([])).toBeNull();
    expect(federationProblem([{ issuer: "https://a", subject: "s" }, { issuer: "https://a", subject: "t" }])).toBeNull();
    expect(federationProblem([{ issuer: "https://a" }])).toBe("Missing one or more required fields (issuer, subject)");
    expect(federationProblem([{ issuer: "ftp://a", subject: "s" }])).toBe("Issuer must be a URL (http:// or https://)");
    expect(federationProblem([{ issuer: "http://a", subject: "s" }, { issuer: "http://a", subject: "s" }])).toBe(
      "Duplicate federation config entry",
    );
  });

  it("knows robot login names by their +", () => {
    expect(isRobotName("alice+ci")).toBe(true);
    expect(isRobotName("alice")).toBe(false);
  });
});
