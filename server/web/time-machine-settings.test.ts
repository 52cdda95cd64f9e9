// A person's time-machine window from the account settings page (organizations have theirs on
// their Settings tab): Quay's choices only, saved to the namespace the tag rules read.
import { afterAll, beforeAll, expect, it } from "vitest";
import { fieldMessage, type PageClient, signedInClient } from "../../e2e/support/page-client.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";
import { tagExpirationSeconds } from "../domain/accounts/namespaces.ts";

let env: TestEnv;
let ivy: PageClient;
let namespaceId: number;

beforeAll(async () => {
  env = await testEnv();
  namespaceId = (await env.user("ivy")).namespaceId;
  ivy = await signedInClient(env.app, "ivy");
});
afterAll(() => env.close());

it("shows the current window and saves another of Quay's choices", async () => {
  const page = await (await ivy.get("/settings")).text();
  expect(page).toContain('data-testid="time-machine"');
  expect(page).toMatch(/<option value="1209600" selected/);
  const saved = await ivy.submit("/settings", "/settings/time-machine", { tag_expiration_s: "86400" });
  expect(saved.status).toBe(303);
  expect(saved.headers.get("location")).toBe("/settings?saved=time-machine");
  expect(await tagExpirationSeconds(env.deps.db, namespaceId)).toBe(86_400);
  expect(await (await ivy.get("/settings?saved=time-machine")).text()).toContain("The time machine setting was saved.");
});

it("refuses any other value at the field", async () => {
  const refused = await ivy.submit("/settings", "/settings/time-machine", { tag_expiration_s: "5" });
  expect(refused.status).toBe(400);
  expect(fieldMessage(await refused.text(), "tag_expiration_s")).toEqual({ error: true, text: "Invalid tag expiration: must be one of 0s, 1d, 1w, 2w, 4w" });
  expect(await tagExpirationSeconds(env.deps.db, namespaceId)).toBe(86_400);
});
