// /static: htmx, PatternFly (with the fonts its CSS points at) and our stylesheet, from memory,
// with fingerprinted URLs that may be cached forever.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestEnv, testEnv } from "../../e2e/support/test-app.ts";
import { pageAssets } from "./static.ts";

let env: TestEnv;
beforeAll(async () => {
  env = await testEnv();
});
afterAll(() => env.close());

describe("static files", () => {
  it("serves the page assets with their content types and immutable caching", async () => {
    const assets = await pageAssets();
    const expected: Array<[string, string, string]> = [
      [assets.htmx, "text/javascript; charset=utf-8", "htmx"],
      [assets.patternfly, "text/css; charset=utf-8", "pf-v6-c-page"],
      [assets.appCss, "text/css; charset=utf-8", ".qs-brand"],
    ];
    for (const [url, type, marker] of expected) {
      expect(url).toMatch(/\?v=[0-9a-f]{16}$/);
      const res = await env.app.request(url);
      expect(res.status, url).toBe(200);
      expect(res.headers.get("content-type")).toBe(type);
      expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
      expect(await res.text()).toContain(marker);
    }
  });

  it("revalidates with the ETag and compresses text", async () => {
    const { patternfly } = await pageAssets();
    const first = await env.app.request(patternfly, { headers: { "accept-encoding": "gzip, br" } });
    expect(first.headers.get("content-encoding")).toBe("gzip");
    expect(Number(first.headers.get("content-length"))).toBeLessThan(500_000);
    const etag = first.headers.get("etag")!;
    const again = await env.app.request(patternfly, { headers: { "if-none-match": etag } });
    expect(again.status).toBe(304);
  });

  it("serves every font the PatternFly stylesheet references", async () => {
    const css = await (await env.app.request((await pageAssets()).patternfly)).text();
    const fonts = [...css.matchAll(/url\((assets\/[^)"]+\.woff2)\)/g)].map((m) => m[1]);
    expect(fonts.length).toBeGreaterThan(5);
    for (const font of fonts) {
      const res = await env.app.request(`/static/vendor/patternfly/${font}`);
      expect(res.status, font).toBe(200);
      expect(res.headers.get("content-type")).toBe("font/woff2");
    }
  });

  it("serves nothing outside its directories", async () => {
    for (const path of [
      "/static/../package.json",
      "/static/%2e%2e/package.json",
      "/static/vendor/patternfly/package.json",
      "/static/vendor/patternfly/%2e%2e/%2e%2e/%2e%2e/package.json",
      "/static/vendor/htmx/../../../../package.json",
      "/static/nope.css",
      "/static/%E0%A4%A.css",
    ]) {
      expect((await env.app.request(path)).status, path).toBe(404);
    }
  });
});
