// The manifest page: layers with their instructions, labels (writers add and delete API ones
// after a question), an index's children, artifacts and referrers, and who may see what.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fieldMessage, PageClient } from "../../e2e/support/page-client.ts";
import { OCI_MANIFEST, pushBuiltImage, pushIndex } from "../../e2e/support/built-image.ts";
import { RegistryClient, sha256 } from "../../e2e/support/registry-client.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";
import { findUserByName, toPrincipal } from "../domain/accounts/users.ts";
import { findRepository, setVisibility } from "../domain/repositories/repositories.ts";

let env: TestEnv;
let alice: PageClient;
let bob: PageClient;
let image: { digest: string; body: string };
let index: { digest: string };
let sbom: { digest: string };

const pagePath = (digest: string) => `/repository/alice/app/manifest/${digest}`;
const texts = (html: string, testid: string) =>
  [...html.matchAll(new RegExp(`data-testid="${testid}">([^<]*)<`, "g"))].map((m) => m[1]!.replaceAll("&gt;", ">"));
const labelKeys = (html: string) => [...html.matchAll(/data-testid="label-row"><td[^>]*><code>([^<]+)</g)].map((m) => m[1]);

async function signIn(username: string): Promise<PageClient> {
  const browser = new PageClient(env.app);
  expect((await browser.submit("/signin", "/signin", { username, password: `password-${username}` })).status).toBe(303);
  return browser;
}

beforeAll(async () => {
  env = await testEnv();
  const aliceUser = await env.user("alice");
  await env.user("bob");
  const registry = new RegistryClient(env, { username: "alice", password: "password-alice" });
  image = await pushBuiltImage(registry, "alice/app", "v1", { "com.example.team": "blue" });
  index = await pushIndex(registry, "alice/app", "multi", [image]);
  // An SBOM referring to the image.
  const emptyConfig = await registry.pushBlob("alice/app", "{}");
  const sbomLayer = await registry.pushBlob("alice/app", '{"spdxVersion":"SPDX-2.3"}');
  const sbomBody = JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType: "application/spdx+json",
    config: { mediaType: "application/vnd.oci.empty.v1+json", digest: emptyConfig, size: 2 },
    layers: [{ mediaType: "application/spdx+json", digest: sbomLayer, size: 26 }],
    subject: { mediaType: OCI_MANIFEST, digest: image.digest, size: Buffer.byteLength(image.body) },
  });
  expect((await registry.pushManifest("alice/app", sha256(sbomBody), sbomBody, OCI_MANIFEST)).status).toBe(201);
  sbom = { digest: sha256(sbomBody) };
  alice = await signIn("alice");
  bob = await signIn("bob");
  void aliceUser;
});
afterAll(() => env.close());

describe("manifest page", () => {
  it("shows the image's digest, platform, pull command, labels and each layer with its instruction", async () => {
    const res = await alice.request(pagePath(image.digest));
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(`<code class="qs-digest">${image.digest}</code>`);
    expect(html).toContain("linux/arm64/v8");
    expect(html).toContain(`value="podman pull registry.test/alice/app@${image.digest}"`);
    expect(labelKeys(html)).toEqual(["com.example.team"]);
    expect(texts(html, "instruction")).toEqual(["COPY file:abc in /", "ENV A=b", "LABEL x=y", "RUN echo hi > /f"]);
    expect(html.match(/data-testid="layer-row"/g)).toHaveLength(2);
    expect(html.match(/data-testid="empty-step-row"/g)).toHaveLength(2);
    // The SBOM refers to it.
    expect(html).toMatch(/data-testid="referrer-row"><td[^>]*>SBOM</);
    expect(html).toContain(`href="${pagePath(sbom.digest)}"`);
  });

  it("shows an index's children, each linking to its page", async () => {
    const html = await (await alice.request(pagePath(index.digest))).text();
    expect(html).toContain("Multi-architecture index");
    expect(html.match(/data-testid="child-row"/g)).toHaveLength(1);
    expect(html).toContain(`href="${pagePath(image.digest)}"`);
    expect(html).toContain(">arm64<");
    expect(html).toContain(">v8<");
  });

  it("shows an artifact as what it is, with the manifest it refers to", async () => {
    const html = await (await alice.request(pagePath(sbom.digest))).text();
    expect(html).toMatch(/data-testid="manifest-kind">.*SBOM.*application\/spdx\+json/s);
    expect(html).toContain(`data-testid="manifest-subject"`);
    expect(html).toContain("Nothing refers to this manifest");
  });

  it("answers 404 to those who may not read the repository, and for unknown digests", async () => {
    expect((await bob.request(pagePath(image.digest))).status).toBe(404);
    expect((await new PageClient(env.app).request(pagePath(image.digest))).status).toBe(404);
    expect((await alice.request(pagePath(`sha256:${"0".repeat(64)}`))).status).toBe(404);
    // Other repository paths still reach the repository page.
    expect((await alice.request("/repository/alice/app")).status).toBe(200);
  });
});

describe("labels on the manifest page", () => {
  it("writers add a label, refused keys are explained at the field", async () => {
    const bad = await alice.submit(pagePath(image.digest), `/manifest-labels/alice/app/manifest/${image.digest}`, { key: "Bad Key", value: "v" });
    expect(bad.status).toBe(400);
    expect(fieldMessage(await bad.text(), "key")).toMatchObject({ error: true, text: expect.stringContaining("invalid format") });
    const reserved = await alice.submit(pagePath(image.digest), `/manifest-labels/alice/app/manifest/${image.digest}`, { key: "quay.x", value: "v" });
    expect(fieldMessage(await reserved.text(), "key")).toEqual({ error: true, text: "Label has a reserved prefix" });

    const added = await alice.submit(pagePath(image.digest), `/manifest-labels/alice/app/manifest/${image.digest}`, { key: "env", value: "prod" });
    expect(added.status).toBe(303);
    const html = await (await alice.request(added.headers.get("location")!)).text();
    expect(html).toContain("Added the label env.");
    expect(labelKeys(html)).toEqual(["com.example.team", "env"]);
  });

  it("deletes an API label only after asking; image labels have no delete button", async () => {
    const html = await (await alice.request(pagePath(image.digest))).text();
    const deletes = [...html.matchAll(/href="(\/manifest-label-delete\/[^"]+)"/g)].map((m) => m[1]!.replaceAll("&amp;", "&"));
    expect(deletes).toHaveLength(1);
    const question = await alice.request(deletes[0]!);
    expect(question.status).toBe(200);
    expect(await question.text()).toContain("Delete the label env?");
    const done = await alice.submit(deletes[0]!, deletes[0]!, {});
    expect(done.status).toBe(303);
    const after = await (await alice.request(done.headers.get("location")!)).text();
    expect(after).toContain("Deleted the label env.");
    expect(labelKeys(after)).toEqual(["com.example.team"]);
  });

  it("readers see labels without forms and cannot post", async () => {
    const owner = (await findUserByName(env.deps.db, "alice"))!;
    const repo = (await findRepository(env.deps.db, { namespace: "alice", name: "app" }))!;
    await setVisibility(env.deps, { principal: toPrincipal(owner) }, repo, "public");
    const html = await (await bob.request(pagePath(image.digest))).text();
    expect(labelKeys(html)).toEqual(["com.example.team"]);
    expect(html).not.toContain("/manifest-labels/");
    const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? "";
    expect((await bob.post(`/manifest-labels/alice/app/manifest/${image.digest}`, { _csrf: token, key: "k", value: "v" })).status).toBe(404);
  });
});
