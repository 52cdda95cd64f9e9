// /static: our own files from `static/` plus the two browser packages the UI uses (htmx and
// PatternFly's CSS with its fonts), served straight from node_modules — there is no build step.
// Files are read once into memory; pages link them with `?v=<content hash>`, so those URLs can
// be cached forever.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { extname, sep } from "node:path";
import { promisify } from "node:util";
import { gzip } from "node:zlib";
import { type Context, Hono } from "hono";
import { projectPath } from "../paths.ts";

const CONTENT_TYPES: Record<string, string> = {
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".svg": "image/svg+xml",
  ".woff2": "font/woff2",
  ".png": "image/png",
  ".ico": "image/x-icon",
};
const COMPRESSIBLE = new Set([".css", ".js", ".svg"]);
const FOREVER = "public, max-age=31536000, immutable";
const A_DAY = "public, max-age=86400";

/** URL path under /static → the directory it is served from (under the project root). Longest prefix wins. */
export const STATIC_ROOTS: ReadonlyArray<readonly [string, string]> = [
  ["vendor/htmx/", "node_modules/htmx.org/dist"],
  ["vendor/patternfly/", "node_modules/@patternfly/patternfly"],
  ["", "static"],
];

/** Inside PatternFly, only the stylesheet and what it references (fonts, icon font, backgrounds). */
export const PATTERNFLY_FILES = /^(patternfly\.min\.css|assets\/(fonts|pficon|images)\/[\w./-]+\.(woff2|svg))$/;

interface LoadedFile {
  body: Uint8Array;
  gzipped: Uint8Array | null;
  contentType: string;
  etag: string;
  hash: string;
}

const loaded = new Map<string, Promise<LoadedFile | null>>();

function filePathFor(urlPath: string): string | null {
  if (urlPath.split("/").some((part) => part === ".." || part === "." || part === "")) return null;
  for (const [prefix, relative] of STATIC_ROOTS) {
    if (!urlPath.startsWith(prefix)) continue;
    const dir = projectPath(relative);
    const rest = urlPath.slice(prefix.length);
    if (prefix === "vendor/patternfly/" && !PATTERNFLY_FILES.test(rest)) return null;
    if (prefix === "" && urlPath.startsWith("vendor/")) return null;
    const full = `${dir}${sep}${rest.split("/").join(sep)}`;
    return full.startsWith(dir + sep) ? full : null;
  }
  return null;
}

async function load(urlPath: string): Promise<LoadedFile | null> {
  const path = filePathFor(urlPath);
  const contentType = CONTENT_TYPES[extname(urlPath)];
  if (!path || !contentType) return null;
  let body: Uint8Array;
  try {
    body = new Uint8Array(await readFile(path));
  } catch {
    return null;
  }
  const hash = createHash("sha256").update(body).digest("hex").slice(0, 16);
  const gzipped = COMPRESSIBLE.has(extname(urlPath)) ? new Uint8Array(await promisify(gzip)(body)) : null;
  return { body, gzipped, contentType, etag: `"${hash}"`, hash };
}

/** A file from memory, reading it on first use. Misses are not kept: any URL may be asked for. */
function staticFile(urlPath: string): Promise<LoadedFile | null> {
  let file = loaded.get(urlPath);
  if (!file) {
    file = load(urlPath);
    loaded.set(urlPath, file);
    void file.then((found) => found ?? loaded.delete(urlPath));
  }
  return file;
}

/** The URL pages use for a static file, fingerprinted by content so browsers may cache it forever. */
export async function assetUrl(urlPath: string): Promise<string> {
  const file = await staticFile(urlPath);
  if (!file) throw new Error(`static file ${urlPath} is missing`);
  return `/static/${urlPath}?v=${file.hash}`;
}

export interface AssetUrls {
  patternfly: string;
  appCss: string;
  htmx: string;
  requestAlerts: string;
  favicon: string;
}

let assetUrls: Promise<AssetUrls> | undefined;

/** The stylesheet, script and icon URLs every page links. */
export function pageAssets(): Promise<AssetUrls> {
  assetUrls ??= Promise.all([
    assetUrl("vendor/patternfly/patternfly.min.css"),
    assetUrl("app.css"),
    assetUrl("vendor/htmx/htmx.min.js"),
    assetUrl("request-alerts.js"),
    assetUrl("favicon.svg"),
  ]).then(([patternfly, appCss, htmx, requestAlerts, favicon]) => ({ patternfly, appCss, htmx, requestAlerts, favicon }));
  return assetUrls;
}

/** Answers a GET or HEAD for one file under /static (or a plain 404). */
export async function serveStatic(c: Context, urlPath: string): Promise<Response> {
  const file = await staticFile(urlPath);
  if (!file) return c.text("Not Found", 404);
  const fingerprinted = c.req.query("v") === file.hash;
  const headers: Record<string, string> = {
    "Content-Type": file.contentType,
    "Cache-Control": fingerprinted ? FOREVER : A_DAY,
    ETag: file.etag,
    "X-Content-Type-Options": "nosniff",
    Vary: "Accept-Encoding",
  };
  if (c.req.header("if-none-match") === file.etag) return c.body(null, 304, headers);
  const useGzip = file.gzipped !== null && /\bgzip\b/.test(c.req.header("accept-encoding") ?? "");
  const body = useGzip ? file.gzipped! : file.body;
  if (useGzip) headers["Content-Encoding"] = "gzip";
  headers["Content-Length"] = String(body.byteLength);
  if (c.req.method === "HEAD") return c.body(null, 200, headers);
  return c.body(body as Uint8Array<ArrayBuffer>, 200, headers);
}

export function staticRoutes(): Hono {
  const app = new Hono();
  app.on(["GET", "HEAD"], "/*", (c) => {
    let urlPath: string;
    try {
      urlPath = decodeURIComponent(c.req.path.replace(/^\/static\//, ""));
    } catch {
      return c.text("Not Found", 404); // malformed %-escapes
    }
    return serveStatic(c, urlPath);
  });
  return app;
}
