// The tag comparison page: reached from the Tags tab, two tag boxes (suggesting the live tags),
// then exactly the packages and vulnerabilities that changed; unknown tags refused at their box.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PageClient, signedInClient } from "../../e2e/support/page-client.ts";
import { RegistryClient } from "../../e2e/support/registry-client.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";
import { pushTagDiffImages } from "../domain/scanning/fixtures/tag-diff-scans.ts";

let env: TestEnv;
let alice: PageClient;
let mallory: PageClient;

const diffPage = (query = "") => `/repository-tagdiff/alice/app${query}`;
/** Each row's cells as text. */
const rows = (html: string, testid: string) =>
  [...html.matchAll(new RegExp(`<tr[^>]*data-testid="${testid}">([\\s\\S]*?)</tr>`, "g"))].map((m) =>
    [...m[1]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) => c[1]!.replace(/<[^>]+>/g, "").trim()),
  );

beforeAll(async () => {
  env = await testEnv();
  await env.user("alice");
  await env.user("mallory");
  alice = await signedInClient(env.app, "alice");
  mallory = await signedInClient(env.app, "mallory");
  const registry = new RegistryClient(env, { username: "alice", password: "password-alice" });
  await pushTagDiffImages(registry, env.deps.db, "alice/app");
});
afterAll(() => env.close());

describe("compare tags page", () => {
  it("is linked from the Tags tab and offers the live tags while typing", async () => {
    const tab = await (await alice.get("/repository/alice/app?tab=tags")).text();
    expect(tab).toMatch(/href="\/repository-tagdiff\/alice\/app" data-testid="compare-tags"/);
    const html = await (await alice.get(diffPage())).text();
    expect([...html.matchAll(/<option value="([^"]+)"/g)].map((m) => m[1]).sort()).toEqual(["v1", "v2", "v3"]);
    expect(html).not.toContain('data-testid="tagdiff-package"');
  });

  it("lists exactly the packages and vulnerabilities that changed from one tag to the other", async () => {
    const res = await alice.get(diffPage("?from=v1&to=v2"));
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("2 changed; 4 vulnerabilities fixed, 2 introduced.");
    expect(rows(html, "tagdiff-package")).toEqual([
      ["Added", "lodash", "npm", "—", "4.17.20"],
      ["Removed", "curl", "dpkg", "7.88.1-10", "—"],
      ["Changed", "openssl", "dpkg", "3.0.11-1", "3.0.13-1"],
      ["Changed", "requests", "pypi", "2.28.0", "2.31.0"],
    ]);
    expect(rows(html, "tagdiff-vulnerability")).toEqual([
      ["Fixed", "CVE-2023-38545", "High", "curl", "7.88.1-10", "7.88.1-10+deb12u4"],
      ["Fixed", "CVE-2023-32681", "Medium", "requests", "2.28.0", "2.31.0"],
      ["Fixed", "CVE-2024-0727", "Medium", "openssl", "3.0.11-1", "3.0.13-1"],
      ["Fixed", "CVE-2023-5678", "Low", "openssl", "3.0.11-1", "3.0.13-1"],
      ["Introduced", "CVE-2021-23337", "High", "lodash", "4.17.20", "4.17.21"],
      ["Introduced", "CVE-2024-2511", "Low", "openssl", "3.0.13-1", "3.0.14-1"],
    ]);
  });

  it("says which side waits for its scan", async () => {
    const html = await (await alice.get(diffPage("?from=v1&to=v3"))).text();
    expect(html).toContain("Nothing to compare yet: v3 (scan queued).");
    expect(html).not.toContain('data-testid="tagdiff-package"');
  });

  it("refuses an unknown or missing tag at its box", async () => {
    const res = await alice.get(diffPage("?from=v1&to=nope"));
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain("No tag named nope");
    expect((await (await alice.get(diffPage("?from=&to=v1"))).text())).toContain("Enter a tag");
  });

  it("is a 404 to those who cannot read the repository", async () => {
    expect((await mallory.get(diffPage("?from=v1&to=v2"))).status).toBe(404);
  });
});
