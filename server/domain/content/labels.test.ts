import { describe, expect, it } from "vitest";
import { expiresAfterSeconds, hasReservedPrefix, inferredMediaType, isValidLabelKey, parseExpiresAfter } from "./labels.ts";
import { legacyIdCodec } from "./legacy-images.ts";

describe("quay.expires-after", () => {
  it("reads Quay's <number><unit> grammar (s, m, h, d, w) and ignores anything else", () => {
    expect(parseExpiresAfter("2s")).toBe(2);
    expect(parseExpiresAfter("5m")).toBe(300);
    expect(parseExpiresAfter("20h")).toBe(72_000);
    expect(parseExpiresAfter("5d")).toBe(432_000);
    expect(parseExpiresAfter("2w")).toBe(1_209_600);
    expect(parseExpiresAfter(" 3 h")).toBe(10_800);
    for (const bad of ["", "h", "2", "2y", "2 weeks", "1.5h", "2W", "9999999999999w"]) expect(parseExpiresAfter(bad), bad).toBeNull();
    const row = (key: string, value: string) => ({ key, value, mediaType: "text/plain" as const });
    expect(expiresAfterSeconds([row("quay.expires-after", "1h"), row("quay.expires-after", "2h")])).toBe(7200);
    expect(expiresAfterSeconds([row("other", "1h")])).toBeNull();
  });
});

describe("label rules", () => {
  it("key grammar, reserved prefixes and the inferred media type are Quay's", () => {
    for (const ok of ["a", "a.b-c", "com.example.x1", "0"]) expect(isValidLabelKey(ok), ok).toBe(true);
    for (const bad of ["A", "a..b", "a-.b", ".a", "a.", "a b", "x".repeat(256)]) expect(isValidLabelKey(bad), bad).toBe(false);
    expect(hasReservedPrefix("quay.anything")).toBe(true);
    expect(hasReservedPrefix("io.k8s.x")).toBe(true);
    expect(hasReservedPrefix("com.example")).toBe(false);
    expect(inferredMediaType('{"a":1}')).toBe("application/json");
    expect(inferredMediaType("[1, 2]")).toBe("application/json");
    expect(inferredMediaType("{nope}")).toBe("text/plain");
    expect(inferredMediaType("1")).toBe("text/plain");
  });
});

describe("legacy v1 image ids", () => {
  it("are Quay's Hashids (hex alphabet, 64 long) of (manifest id, steps from the leaf)", () => {
    // Vectors from Python's hashids 1.3.1, which Quay uses: Hashids(alphabet="0123456789abcdef", min_length=64, salt="salt").
    const codec = legacyIdCodec("salt");
    expect(codec.encode(12, 0)).toBe("8ed245a7a58db29edb474d9ea59574826e55f26bed3a7382b8a235739e489eb3");
    expect(codec.encode(7, 3)).toBe("2737e9ad42ba57d794a8724e5d5a87246d3186d39eb9ba38b325ed9e83b24583");
    expect(codec.decode("2737e9ad42ba57d794a8724e5d5a87246d3186d39eb9ba38b325ed9e83b24583")).toEqual([7, 3]);
  });
});
