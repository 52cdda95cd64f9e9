// The image page's SBOM section: download links once the scan has finished, and for writers a
// form that pushes the SBOM back as a referrer of the image (then listed under Referrers).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PageClient, signedInClient } from "../../e2e/support/page-client.ts";
import { pushBuiltImage } from "../../e2e/support/built-image.ts";
import { RegistryClient } from "../../e2e/support/registry-client.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";
import { storeScan } from "../domain/scanning/fixtures/scan-rows.ts";
import { schemaErrors } from "../domain/scanning/fixtures/sbom-schemas/validate.ts";
import { findRepository, setVisibility } from "../domain/repositories/repositories.ts";
import { findUserByName, toPrincipal } from "../domain/accounts/users.ts";

let env: TestEnv;
let alice: PageClient;
let bob: PageClient;
let image: { digest: string; layers: string[] };
let unscanned: { digest: string };

const pagePath = (digest: string) => `/repository/alice/app/manifest/${digest}`;
const attachPath = (digest: string) => `/manifest-sbom/alice/app/manifest/${digest}`;

beforeAll(async () => {
  env = await testEnv();
  await env.user("alice");
  await env.user("bob");
  const registry = new RegistryClient(env, { username: "alice", password: "password-alice" });
  image = await pushBuiltImage(registry, "alice/app", "v1", {});
  unscanned = await pushBuiltImage(registry, "alice/app", "v2", { other: "config" });
  await storeScan(env.database.db, image.digest, { packages: [{ name: "openssl", version: "3.0.11-1", layerIndex: 0, layerDigest: image.layers[0]! }] });
  await storeScan(env.database.db, unscanned.digest, { status: "queued" });
  // bob reads alice/app because it is public; he may not write to it.
  const alicePrincipal = toPrincipal((await findUserByName(env.database.db, "alice"))!);
  await setVisibility(env.deps, { principal: alicePrincipal }, (await findRepository(env.database.db, { namespace: "alice", name: "app" }))!, "public");
  alice = await signedInClient(env.app, "alice");
  bob = await signedInClient(env.app, "bob");
});
afterAll(() => env.close());

describe("the image page's SBOM section", () => {
  it("links both downloads, which a signed-in browser fetches as valid documents", async () => {
    const html = await (await alice.get(pagePath(image.digest))).text();
    const links = [...html.matchAll(/href="(\/api\/v1\/[^"]+\/sbom\?format=[a-z]+)" download/g)].map((m) => m[1]!);
    expect(links).toEqual([`/api/v1/repository/alice/app/manifest/${image.digest}/sbom?format=spdx`, `/api/v1/repository/alice/app/manifest/${image.digest}/sbom?format=cyclonedx`]);
    for (const [link, format] of [[links[0]!, "spdx"], [links[1]!, "cyclonedx"]] as const) {
      const res = await alice.get(link);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename=/);
      expect(schemaErrors(format, await res.json())).toEqual([]);
    }
  });

  it("says the SBOM waits for the scan on an image not scanned yet", async () => {
    const html = await (await alice.get(pagePath(unscanned.digest))).text();
    expect(html).toContain('data-testid="sbom-unavailable"');
    expect(html).not.toContain('data-testid="sbom-downloads"');
  });

  it("lets a writer attach it as a referrer, then lists it under Referrers", async () => {
    const before = await (await alice.get(pagePath(image.digest))).text();
    expect(before).toContain('data-testid="sbom-attach"');
    const res = await alice.submit(pagePath(image.digest), attachPath(image.digest), { format: "cyclonedx" });
    expect(res.status).toBe(303);
    const location = res.headers.get("location")!;
    const artifact = new URL(location, "http://x").searchParams.get("sbom-attached")!;
    expect(artifact).toMatch(/^sha256:[0-9a-f]{64}$/);
    const html = await (await alice.get(location)).text();
    expect(html).toContain(`Attached the SBOM as referrer ${artifact}.`);
    expect(html).toMatch(new RegExp(`data-testid="referrer-row"><td[^>]*>SBOM</td><td[^>]*><code>application/vnd.cyclonedx\\+json</code>`));
  });

  it("offers readers the downloads but not the form, and refuses their posts", async () => {
    const html = await (await bob.get(pagePath(image.digest))).text();
    expect(html).toContain('data-testid="sbom-downloads"');
    expect(html).not.toContain('data-testid="sbom-attach"');
    expect((await bob.submit(pagePath(image.digest), attachPath(image.digest), { format: "spdx" })).status).toBe(404);
  });

  it("answers an attach for an image not scanned with the page saying why", async () => {
    const res = await alice.submit(pagePath(unscanned.digest), attachPath(unscanned.digest), { format: "spdx" });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain(`No SBOM for ${unscanned.digest}: its scan is queued`);
  });
});
