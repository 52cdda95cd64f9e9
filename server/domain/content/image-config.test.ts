import { describe, expect, it } from "vitest";
import { buildSteps, instructionOf, MAX_CONFIG_BYTES, MAX_HISTORY, parseImageConfig } from "./image-config.ts";

const bytes = (value: unknown) => new TextEncoder().encode(typeof value === "string" ? value : JSON.stringify(value));

describe("parseImageConfig", () => {
  it("reads labels, history, platform and creation time", () => {
    const config = parseImageConfig(
      bytes({
        architecture: "arm",
        os: "linux",
        variant: "v7",
        created: "2024-03-05T12:00:00Z",
        config: { Labels: { "com.example.a": "1", "quay.expires-after": "2w", number: 3 } },
        history: [
          { created: "2024-03-05T11:00:00Z", created_by: "/bin/sh -c #(nop) COPY file:ab in / " },
          { created_by: "/bin/sh -c #(nop) ENV A=b", empty_layer: true },
          { created_by: 42, author: "me", comment: "c" },
        ],
      }),
    );
    expect(config).toEqual({
      labels: [["com.example.a", "1"], ["quay.expires-after", "2w"]],
      history: [
        { created: new Date("2024-03-05T11:00:00Z"), createdBy: "/bin/sh -c #(nop) COPY file:ab in / ", author: null, comment: null, emptyLayer: false },
        { created: null, createdBy: "/bin/sh -c #(nop) ENV A=b", author: null, comment: null, emptyLayer: true },
        { created: null, createdBy: null, author: "me", comment: "c", emptyLayer: false },
      ],
      os: "linux",
      architecture: "arm",
      variant: "v7",
      created: new Date("2024-03-05T12:00:00Z"),
    });
  });

  it("yields nothing, never throws, for hostile or malformed input", () => {
    expect(parseImageConfig(bytes("not json"))).toBeNull();
    expect(parseImageConfig(bytes("[1,2]"))).toBeNull();
    expect(parseImageConfig(new Uint8Array([0xff, 0xfe, 0x7b, 0x7d]))).toBeNull();
    // Deep nesting: parsed or refused, but no stack overflow escapes.
    const deep = "[".repeat(200_000) + "]".repeat(200_000);
    expect(parseImageConfig(bytes(`{"config": ${deep}}`))?.labels ?? []).toEqual([]);
    expect(parseImageConfig(new Uint8Array(MAX_CONFIG_BYTES + 1))).toBeNull();
    // Wrong types everywhere: ignored.
    const odd = parseImageConfig(bytes({ config: { Labels: ["a"] }, history: { 0: 1 }, os: 1, created: "yesterday" }));
    expect(odd).toEqual({ labels: [], history: [], os: null, architecture: null, variant: null, created: null });
    // A history of 150 000 empty steps (3 MiB) is cut short.
    const long = parseImageConfig(bytes({ history: Array.from({ length: 150_000 }, () => ({ empty_layer: true })) }));
    expect(long?.history).toHaveLength(MAX_HISTORY);
    // A "__proto__" label is a label like any other, and pollutes nothing.
    const proto = parseImageConfig(bytes('{"config":{"Labels":{"__proto__":"x","constructor":"y"}}}'));
    expect(proto?.labels).toEqual([["__proto__", "x"], ["constructor", "y"]]);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});

describe("buildSteps", () => {
  const h = (createdBy: string, emptyLayer = false) => ({ created: null, createdBy, author: null, comment: null, emptyLayer });

  it("matches each non-empty history entry to the next layer, empty ones to none", () => {
    const steps = buildSteps([h("COPY a /"), h("ENV A=b", true), h("LABEL x=y", true), h("COPY b /")], 2);
    expect(steps.map((s) => [s.history?.createdBy, s.layerIndex])).toEqual([
      ["COPY a /", 0],
      ["ENV A=b", null],
      ["LABEL x=y", null],
      ["COPY b /", 1],
    ]);
  });

  it("gives layers without history a step of unknown origin, and drops history beyond the layers", () => {
    expect(buildSteps([], 2)).toEqual([{ history: null, layerIndex: 0 }, { history: null, layerIndex: 1 }]);
    expect(buildSteps([h("COPY a /")], 2).map((s) => s.layerIndex)).toEqual([0, 1]);
    expect(buildSteps([h("COPY a /"), h("COPY b /")], 1).map((s) => s.history?.createdBy)).toEqual(["COPY a /"]);
  });
});

describe("instructionOf", () => {
  it("strips the shell wrapper builders add", () => {
    expect(instructionOf("/bin/sh -c #(nop) ENV A=b")).toBe("ENV A=b");
    expect(instructionOf("/bin/sh -c #(nop)  LABEL x=y")).toBe("LABEL x=y");
    expect(instructionOf("/bin/sh -c echo hi > /f")).toBe("RUN echo hi > /f");
    expect(instructionOf("COPY file / # buildkit")).toBe("COPY file / # buildkit");
    expect(instructionOf(null)).toBeNull();
  });
});
