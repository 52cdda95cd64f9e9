// The superuser's garbage-collection page: who may see it, status, run now, and "why is this
// blob kept?" for a kept layer, a blob nobody keeps, and a malformed digest.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { PageClient, signedInClient } from "../../e2e/support/page-client.ts";
import { RegistryClient } from "../../e2e/support/registry-client.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";

let env: TestEnv;
beforeAll(async () => {
  env = await testEnv();
  await env.user("root", { superuser: true });
  await env.user("alice");
});
afterAll(() => env.close());

it("is for superusers: others get the 404 page, visitors are sent to sign in; the link shows only to superusers", async () => {
  const visitor = await new PageClient(env.app).get("/superuser/gc");
  expect(visitor.status).toBe(303);
  expect(visitor.headers.get("location")).toBe("/signin?next=%2Fsuperuser%2Fgc");
  const alice = await signedInClient(env.app, "alice");
  expect((await alice.get("/superuser/gc")).status).toBe(404);
  expect((await alice.post("/superuser/gc/run", {})).status).toBe(403); // no CSRF token: refused before anything
  expect(await (await alice.get("/")).text()).not.toContain('href="/superuser/gc"');
  const root = await signedInClient(env.app, "root");
  expect(await (await root.get("/")).text()).toContain('href="/superuser/gc"');
});

it("shows an empty state, then the run started with Run now and its counters", async () => {
  const root = await signedInClient(env.app, "root");
  const first = await (await root.get("/superuser/gc")).text();
  expect(first).toContain("No run yet");
  const run = await root.submit("/superuser/gc", "/superuser/gc/run", {});
  expect(run.status).toBe(303);
  expect(run.headers.get("location")).toBe("/superuser/gc?started=1");
  let html = "";
  do html = await (await root.get("/superuser/gc?started=1")).text();
  while (html.includes("Running ("));
  expect(html).toContain("A collection run has started.");
  expect(html).toMatch(/Manifests examined.*0 \(0 deleted\)/s);
  expect(html).toContain("Idle");
});

it("explains why a layer is kept (its live tag) and that an old loose blob will be collected", async () => {
  const alice = new RegistryClient(env, { username: "alice", password: "password-alice" });
  const image = await alice.pushImage("alice/web", "stable");
  const root = await signedInClient(env.app, "root");
  const kept = await (await root.get(`/superuser/gc?digest=${image.layerDigest}`)).text();
  expect(kept).toMatch(/<strong>kept<\/strong>/);
  expect(kept).toContain("Live tag <strong>stable</strong> on alice/web@" + image.digest);
  const loose = await alice.pushBlob("alice/web", "nobody names these bytes");
  await env.deps.db.execute(sql`update repo_blobs set created_at = now() - interval '3 hours' where digest = ${loose}`);
  const collected = await (await root.get(`/superuser/gc?digest=${loose}`)).text();
  expect(collected).toContain("not kept: will be collected");
  const bad = await (await root.get("/superuser/gc?digest=latest")).text();
  expect(bad).toContain("Enter a digest such as sha256:");
});
