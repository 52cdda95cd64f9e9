import { describe, expect, it } from "vitest";
import { duplicateKey } from "./json-keys.ts";

describe("duplicateKey", () => {
  it("finds a key repeated within one object, at any depth", () => {
    expect(duplicateKey('{"a":1,"a":2}')).toBe("a");
    expect(duplicateKey('{"x":[{"b":"a","a":{"c":[1,"c"]},"a":3}]}')).toBe("a");
    expect(duplicateKey('{"layers":[],"Layers":[]}')).toBe("Layers");
    expect(duplicateKey('{"l\\u0061yers":[],"layers":[]}')).toBe("layers");
    expect(duplicateKey('{"\\ud800":1,"\\udfff":2}')).toBe("\udfff");
  });

  it("lets the same key live in different objects, and values look like keys", () => {
    expect(duplicateKey('{"a":{"a":{"a":"a"}},"b":[{"a":1},{"a":2}],"c":"a","d":{}}')).toBeUndefined();
    expect(duplicateKey('{"a\\"":1,"a":"\\\\","b":["\\"a"]}')).toBeUndefined();
    expect(duplicateKey('[{},{"x":1},"x",{"x":2}]')).toBeUndefined();
  });
});
