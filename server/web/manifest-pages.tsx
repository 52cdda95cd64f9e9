// A manifest's page, `/repository/{namespace}/{name}/manifest/{digest}` (unambiguous: digests
// hold a colon, names never do), and its writers' label forms under prefixes of their own
// (names may hold slashes). Readers of the repository see it; anyone else gets the 404 a
// missing repository gets. The rules are the domain's, the same the API's labels use. Writers
// also push the image's SBOM back as its referrer from here (`/manifest-sbom/…`).
import { type Context, Hono, type Next } from "hono";
import { DeleteLabelPage, type LabelForm, ManifestPage, manifestHref } from "../../views/pages/manifest.tsx";
import { clientIp } from "../client-ip.ts";
import type { AppDeps } from "../deps.ts";
import { type Role, roleAtLeast, roleOn } from "../domain/access/permissions.ts";
import { addLabel, deleteLabel, findLabel, labelTarget, listLabels } from "../domain/content/labels.ts";
import { manifestDetails, referrersOf } from "../domain/content/manifest-details.ts";
import { DomainError } from "../domain/errors.ts";
import { repoPath } from "../domain/names.ts";
import { findRepository, type Repository } from "../domain/repositories/repositories.ts";
import { chrome, notFoundPage, page } from "./render.tsx";
import { registryHost } from "./repository-pages.tsx";
import { scanTab } from "./scan-pages.tsx";
import { scanState } from "../domain/scanning/reports.ts";
import { attachSbom } from "../domain/scanning/sbom-referrer.ts";
import { isSbomFormat, manifestSbom } from "../domain/scanning/sbom.ts";
import { looksLikeDigest } from "../domain/content/digests.ts";
import { sbomRequest } from "../sbom-request.ts";
import type { WebContext, WebEnv } from "./session.ts";
import { assetUrl } from "./static.ts";

/** `<name>/manifest/<digest>`, the rest of a manifest path after the namespace. */
const MANIFEST_REST = /^(.+)\/manifest\/([A-Za-z0-9_+.-]+:[A-Za-z0-9=_-]+)$/;

interface Target {
  repo: Repository;
  role: Role;
  digest: string;
}

/** The repository and digest in the path, when the viewer may read the repository. */
async function readableTarget(deps: AppDeps, c: WebContext): Promise<Target | undefined> {
  const m = MANIFEST_REST.exec(c.req.param("rest") ?? "");
  if (!m) return undefined;
  const repo = await findRepository(deps.db, { namespace: c.req.param("namespace")!, name: m[1]! });
  if (!repo || repo.state === "MARKED_FOR_DELETION") return undefined;
  const role = await roleOn(deps.db, c.get("principal"), repo);
  return role === null ? undefined : { repo, role, digest: m[2]! };
}

const mayWrite = (c: WebContext, t: Target) => Boolean(c.get("session")) && roleAtLeast(t.role, "write");

export function manifestPages(deps: AppDeps): Hono<WebEnv> {
  const app = new Hono<WebEnv>();
  const actor = (c: WebContext) => ({ principal: c.get("principal"), ip: clientIp(c, deps.config) });

  async function render(c: WebContext, t: Target, labelForm: LabelForm, notice?: string): Promise<Response> {
    const details = await manifestDetails(deps, t.repo.id, t.digest);
    if (!details) return notFoundPage(deps, c);
    const config = details.config;
    const manifest = {
      ...details,
      created: config?.created ?? null,
      platform: config ? { os: config.os, architecture: config.architecture, variant: config.variant } : null,
      referrers: (await referrersOf(deps.db, t.repo.id, details.digest)).map((r) => ({ ...r, artifactType: r.artifactType ?? null })),
      labels: await listLabels(deps.db, details.id),
    };
    return page(
      c,
      <ManifestPage
        chrome={await chrome(deps, c)}
        path={repoPath(t.repo)}
        registryHost={registryHost(deps, c)}
        manifest={manifest}
        writer={mayWrite(c, t)}
        labelForm={labelForm}
        notice={notice}
        copyScript={await assetUrl("copy-text.js")}
        scanned={(await scanState(deps.db, details.digest)).status === "scanned"}
      />,
      labelForm.error ? 400 : 200,
    );
  }

  const emptyForm: LabelForm = { values: { key: "", value: "" } };

  // Other repository paths go on to the repository page.
  app.get("/repository/:namespace/:rest{.+}", async (c: Context<WebEnv>, next: Next) => {
    if (!MANIFEST_REST.test(c.req.param("rest") ?? "")) return next();
    const t = await readableTarget(deps, c);
    if (!t) return notFoundPage(deps, c);
    const tab = c.req.query("tab");
    if (tab === "security" || tab === "packages") return scanTab(deps, c, t.repo, t.digest, tab);
    const added = c.req.query("label-added");
    const deleted = c.req.query("label-deleted");
    const attached = c.req.query("sbom-attached");
    const sbomNotice = attached && looksLikeDigest(attached) ? `Attached the SBOM as referrer ${attached}.` : undefined;
    return render(c, t, emptyForm, added ? `Added the label ${added}.` : deleted ? `Deleted the label ${deleted}.` : sbomNotice);
  });

  app.post("/manifest-labels/:namespace/:rest{.+}", async (c) => {
    const t = await readableTarget(deps, c);
    if (!t || !mayWrite(c, t)) return notFoundPage(deps, c);
    const body = await c.req.parseBody();
    const values = { key: String(body.key ?? "").trim(), value: String(body.value ?? "") };
    if (values.key === "") return render(c, t, { values, error: "Enter a key" });
    const target = await labelTarget(deps.db, t.repo, t.digest);
    if (!target) return notFoundPage(deps, c);
    try {
      await addLabel(deps, actor(c), target, { ...values, mediaType: null });
    } catch (err) {
      if (err instanceof DomainError && err.code === "MODEL_REFUSED") return render(c, t, { values, error: err.message });
      throw err;
    }
    return c.redirect(`${manifestHref(repoPath(t.repo), t.digest)}?${new URLSearchParams({ "label-added": values.key })}`, 303);
  });

  // Pushes the image's SBOM back as its referrer; the page then names the artifact.
  app.post("/manifest-sbom/:namespace/:rest{.+}", async (c) => {
    const t = await readableTarget(deps, c);
    if (!t || !mayWrite(c, t)) return notFoundPage(deps, c);
    const format = String((await c.req.parseBody()).format ?? "");
    if (!isSbomFormat(format)) return notFoundPage(deps, c);
    let artifact: string;
    try {
      const { sbom, subject } = await manifestSbom(deps.db, sbomRequest(deps, c, t.repo, t.digest, format));
      artifact = await attachSbom(deps, actor(c), t.repo, sbom, subject);
    } catch (err) {
      // Not scanned (any more): the page says why.
      if (err instanceof DomainError && err.code === "CONFLICT") return render(c, t, emptyForm, err.message);
      throw err;
    }
    return c.redirect(`${manifestHref(repoPath(t.repo), t.digest)}?${new URLSearchParams({ "sbom-attached": artifact })}`, 303);
  });

  /** The label a delete form names, on a manifest the viewer may write to. */
  async function labelToDelete(c: WebContext) {
    const t = await readableTarget(deps, c);
    if (!t || !mayWrite(c, t)) return undefined;
    const target = await labelTarget(deps.db, t.repo, t.digest);
    const label = target && (await findLabel(deps.db, target.manifestId, c.req.query("label") ?? ""));
    return label && label.sourceType === "api" ? { t, target, label } : undefined;
  }

  app.get("/manifest-label-delete/:namespace/:rest{.+}", async (c) => {
    const found = await labelToDelete(c);
    if (!found) return notFoundPage(deps, c);
    return page(c, <DeleteLabelPage chrome={await chrome(deps, c)} path={repoPath(found.t.repo)} digest={found.t.digest} label={found.label} />);
  });

  app.post("/manifest-label-delete/:namespace/:rest{.+}", async (c) => {
    const found = await labelToDelete(c);
    if (!found) return notFoundPage(deps, c);
    await deleteLabel(deps, actor(c), found.target, found.label.id);
    const href = manifestHref(repoPath(found.t.repo), found.t.digest);
    return c.redirect(`${href}?${new URLSearchParams({ "label-deleted": found.label.key })}`, 303);
  });

  return app;
}
