import { describe, expect, it } from "vitest";
import { tooManyRequests } from "../domain/errors.ts";
import { fromDomain, PlainError } from "./errors.ts";

describe("fromDomain", () => {
  it("answers a refusal for now as Quay's plain 429 with Retry-After", () => {
    const err = fromDomain(tooManyRequests("Too many sign-ins at once; try again in a moment", 1.2), true);
    expect(err).toBeInstanceOf(PlainError);
    expect(err).toMatchObject({ status: 429, body: { message: "Too many sign-ins at once; try again in a moment" }, headers: { "Retry-After": "2" } });
  });
});
