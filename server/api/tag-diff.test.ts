import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiClient, problem, tokenClient } from "../../e2e/support/api-client.ts";
import { pushIndex } from "../../e2e/support/built-image.ts";
import { RegistryClient } from "../../e2e/support/registry-client.ts";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";
import { type PushedImage, pushTagDiffImages } from "../domain/scanning/fixtures/tag-diff-scans.ts";

let env: TestEnv;
let reader: ApiClient;
let v1: PushedImage;
let v2: PushedImage;
let v3: PushedImage;
let multi: { digest: string };

const diffPath = (from: string, to: string) => `/repository/alice/app/tagdiff?${new URLSearchParams({ from, to })}`;

beforeAll(async () => {
  env = await testEnv();
  const alice = await env.user("alice");
  reader = await tokenClient(env, alice, ["repo:read"]);
  const registry = new RegistryClient(env, { username: "alice", password: "password-alice" });
  ({ v1, v2, v3 } = await pushTagDiffImages(registry, env.database.db, "alice/app"));
  multi = await pushIndex(registry, "alice/app", "multi", [v2]);
});
afterAll(() => env.close());

describe("GET /api/v1/repository/{repo}/tagdiff", () => {
  it("lists exactly the packages added, removed and changed and the CVEs fixed and introduced", async () => {
    const res = await reader.get(diffPath("v1", "v2"));
    expect(res.status).toBe(200);
    const vuln = (id: string, severity: string, pkg: string, ecosystem: string, version: string, fixedBy: string) => ({
      id,
      severity,
      link: `https://osv.dev/vulnerability/${id}`,
      package: pkg,
      ecosystem,
      package_version: version,
      fixed_by: fixedBy,
    });
    expect(res.body).toEqual({
      from: { tag: "v1", manifest_digest: v1.digest, scan_status: "scanned" },
      to: { tag: "v2", manifest_digest: v2.digest, scan_status: "scanned" },
      complete: true,
      packages: {
        added: [{ name: "lodash", ecosystem: "npm", versions: ["4.17.20"] }],
        removed: [{ name: "curl", ecosystem: "dpkg", versions: ["7.88.1-10"] }],
        changed: [
          { name: "openssl", ecosystem: "dpkg", from_versions: ["3.0.11-1"], to_versions: ["3.0.13-1"] },
          { name: "requests", ecosystem: "pypi", from_versions: ["2.28.0"], to_versions: ["2.31.0"] },
        ],
      },
      vulnerabilities: {
        fixed: [
          vuln("CVE-2023-38545", "High", "curl", "dpkg", "7.88.1-10", "7.88.1-10+deb12u4"),
          vuln("CVE-2023-32681", "Medium", "requests", "pypi", "2.28.0", "2.31.0"),
          vuln("CVE-2024-0727", "Medium", "openssl", "dpkg", "3.0.11-1", "3.0.13-1"),
          vuln("CVE-2023-5678", "Low", "openssl", "dpkg", "3.0.11-1", "3.0.13-1"),
        ],
        introduced: [
          vuln("CVE-2021-23337", "High", "lodash", "npm", "4.17.20", "4.17.21"),
          vuln("CVE-2024-2511", "Low", "openssl", "dpkg", "3.0.13-1", "3.0.14-1"),
        ],
      },
    });
  });

  it("reads the other way round as the mirror image", async () => {
    const res = await reader.get<any>(diffPath("v2", "v1"));
    expect(res.body.packages.added.map((p: any) => p.name)).toEqual(["curl"]);
    expect(res.body.packages.removed.map((p: any) => p.name)).toEqual(["lodash"]);
    expect(res.body.vulnerabilities.introduced.map((v: any) => v.id)).toEqual(["CVE-2023-38545", "CVE-2023-32681", "CVE-2024-0727", "CVE-2023-5678"]);
  });

  it("compares a multi-architecture tag through its platform image", async () => {
    const res = await reader.get<any>(diffPath("v1", "multi"));
    expect(res.body.to).toEqual({ tag: "multi", manifest_digest: v2.digest, scan_status: "scanned" });
    expect(res.body.packages.added).toEqual([{ name: "lodash", ecosystem: "npm", versions: ["4.17.20"] }]);
    expect(multi.digest).not.toBe(v2.digest);
  });

  it("is incomplete, with empty lists, while a side is not scanned", async () => {
    const res = await reader.get<any>(diffPath("v1", "v3"));
    expect(res.body).toMatchObject({ complete: false, to: { tag: "v3", manifest_digest: v3.digest, scan_status: "queued" } });
    expect(res.body.packages).toEqual({ added: [], removed: [], changed: [] });
  });

  it("refuses a missing tag name, and answers 404 for a tag that does not exist", async () => {
    expect((await reader.get("/repository/alice/app/tagdiff?from=v1")).body).toEqual(problem(400, "invalid_request", "Name two tags: from and to"));
    expect((await reader.get(diffPath("v1", "nope"))).status).toBe(404);
  });
});
