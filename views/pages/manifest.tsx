// One manifest: what it is (digest, media type, size, created, platform, artifact kind), how to
// pull it by digest, its labels (writers add and delete their own), the build steps that made
// its layers, an index's children, a scanned image's SBOM downloads, and what refers to it
// (signatures, SBOMs, attestations).
import { humanSize, isoTime, shortDigest } from "../format.ts";
import { type Chrome, Layout, Section } from "../layout.tsx";
import { ConfirmCard } from "../partials/confirm-card.tsx";
import { CopyField } from "../partials/copy-field.tsx";
import { Cell, DataTable } from "../partials/data-table.tsx";
import { EmptyState } from "../partials/empty-state.tsx";
import { CsrfField, FormActions, TextField } from "../partials/form-field.tsx";
import { Notice } from "../partials/notice.tsx";
import { SectionCard } from "../partials/section-card.tsx";
import { Breadcrumb } from "../partials/breadcrumb.tsx";
import { DescriptionItem } from "../partials/description-list.tsx";
import { ManifestTabs } from "../partials/manifest-tabs.tsx";
import { SbomActions } from "../partials/sbom-actions.tsx";

export type ArtifactKind = "image" | "index" | "helm-chart" | "signature" | "sbom" | "attestation" | "artifact";

export interface Platform {
  os: string | null;
  architecture: string | null;
  variant: string | null;
}

/** A build step: the instruction that made it, and the layer it made (none for ENV, LABEL, …). */
export interface BuildStep {
  instruction: string | null;
  layer: { digest: string; size: number } | null;
}

export interface ManifestChild {
  digest: string;
  size: number;
  platform: Platform | null;
  /** Stored in this repository (a sparse index may lack some). */
  present: boolean;
}

export interface Label {
  id: string;
  key: string;
  value: string;
  sourceType: "manifest" | "api" | "internal";
}

export interface ManifestReferrer {
  digest: string;
  kind: ArtifactKind;
  artifactType: string | null;
  size: number;
}

export interface ManifestView {
  digest: string;
  mediaType: string;
  size: number;
  layersSize: number;
  isIndex: boolean;
  kind: ArtifactKind;
  artifactType: string | null;
  subjectDigest: string | null;
  created: Date | null;
  pushedAt: Date;
  platform: Platform | null;
  annotations: Record<string, string>;
  steps: BuildStep[];
  children: ManifestChild[];
  referrers: ManifestReferrer[];
  labels: Label[];
}

export interface LabelForm {
  values: { key: string; value: string };
  error?: string;
}

export interface ManifestPageProps {
  chrome: Chrome;
  /** `namespace/name` of the repository. */
  path: string;
  registryHost: string;
  manifest: ManifestView;
  /** The viewer may add and delete API labels. */
  writer: boolean;
  labelForm: LabelForm;
  notice?: string;
  copyScript: string;
  /** The image's scan has finished, so its SBOM can be had. */
  scanned: boolean;
}

const KIND_LABELS: Record<ArtifactKind, string> = {
  image: "Image",
  index: "Multi-architecture index",
  "helm-chart": "Helm chart",
  signature: "Signature",
  sbom: "SBOM",
  attestation: "Attestation",
  artifact: "Artifact",
};

export const manifestHref = (path: string, digest: string) => `/repository/${path}/manifest/${digest}`;
export const labelDeleteHref = (path: string, digest: string, labelId: string) =>
  `/manifest-label-delete/${path}/manifest/${digest}?${new URLSearchParams({ label: labelId })}`;

const platformText = (p: Platform | null) => (p ? [p.os, p.architecture, p.variant].filter(Boolean).join("/") || "—" : "—");


function Summary({ path, manifest }: { path: string; manifest: ManifestView }) {
  return (
    <dl class="pf-v6-c-description-list pf-m-horizontal pf-m-compact qs-gap-below" data-testid="manifest-summary">
      <DescriptionItem term="Digest" testid="manifest-digest">
        <code class="qs-digest">{manifest.digest}</code>
      </DescriptionItem>
      <DescriptionItem term="Kind" testid="manifest-kind">
        {KIND_LABELS[manifest.kind]}
        {manifest.artifactType && manifest.kind !== "image" && manifest.kind !== "index" && (
          <>
            {" "}
            (<code>{manifest.artifactType}</code>)
          </>
        )}
      </DescriptionItem>
      <DescriptionItem term="Media type">
        <code>{manifest.mediaType}</code>
      </DescriptionItem>
      <DescriptionItem term="Manifest size">{humanSize(manifest.size)}</DescriptionItem>
      {!manifest.isIndex && <DescriptionItem term="Layers size">{humanSize(manifest.layersSize)}</DescriptionItem>}
      {manifest.platform && <DescriptionItem term="Platform">{platformText(manifest.platform)}</DescriptionItem>}
      <DescriptionItem term="Created" testid="manifest-created">
        {manifest.created ? <time datetime={isoTime(manifest.created)}>{isoTime(manifest.created)}</time> : "—"}
      </DescriptionItem>
      <DescriptionItem term="Pushed">
        <time datetime={isoTime(manifest.pushedAt)}>{isoTime(manifest.pushedAt)}</time>
      </DescriptionItem>
      {manifest.subjectDigest && (
        <DescriptionItem term="Refers to" testid="manifest-subject">
          <a href={manifestHref(path, manifest.subjectDigest)}>{shortDigest(manifest.subjectDigest)}</a>
        </DescriptionItem>
      )}
    </dl>
  );
}

function Annotations({ annotations }: { annotations: Record<string, string> }) {
  const rows = Object.entries(annotations);
  if (rows.length === 0) return null;
  return (
    <SectionCard id="annotations" title="Annotations">
      <DataTable
        id="manifest-annotations"
        label="Annotations"
        columns={["Key", "Value"]}
        rows={rows}
        pager={null}
        empty={null}
        row={([key, value]) => (
          <tr class="pf-v6-c-table__tr">
            <Cell label="Key">
              <code>{key}</code>
            </Cell>
            <Cell label="Value">{value}</Cell>
          </tr>
        )}
      />
    </SectionCard>
  );
}

function Labels({ path, manifest, writer, csrfToken, form }: { path: string; manifest: ManifestView; writer: boolean; csrfToken: string | null; form: LabelForm }) {
  return (
    <SectionCard id="labels" title="Labels">
      <DataTable
        id="manifest-labels"
        label="Labels"
        columns={["Key", "Value", "Source", ...(writer ? [""] : [])]}
        rows={manifest.labels}
        pager={null}
        empty={
          <EmptyState title="No labels">
            {writer ? "Add one below, or set LABEL in the image's Containerfile." : "LABEL instructions in an image's Containerfile become its labels."}
          </EmptyState>
        }
        row={(label) => (
          <tr class="pf-v6-c-table__tr" data-testid="label-row">
            <Cell label="Key">
              <code>{label.key}</code>
            </Cell>
            <Cell label="Value">{label.value}</Cell>
            <Cell label="Source" muted>
              {label.sourceType === "api" ? "Added by hand" : label.sourceType === "manifest" ? "From the image" : "Registry"}
            </Cell>
            {writer && (
              <Cell label="Delete">
                {label.sourceType === "api" && (
                  <a class="pf-v6-c-button pf-m-link pf-m-danger" href={labelDeleteHref(path, manifest.digest, label.id)} aria-label={`Delete label ${label.key}`}>
                    <span class="pf-v6-c-button__text">Delete</span>
                  </a>
                )}
              </Cell>
            )}
          </tr>
        )}
      />
      {writer && csrfToken && (
        <form class="pf-v6-c-form qs-gap-above" method="post" action={`/manifest-labels/${path}/manifest/${manifest.digest}`} novalidate>
          <CsrfField token={csrfToken} />
          <TextField name="key" label="Key" value={form.values.key} error={form.error} required autocomplete="off" autofocus={Boolean(form.error)} />
          <TextField name="value" label="Value" value={form.values.value} autocomplete="off" />
          <FormActions submit="Add label" style="secondary" />
        </form>
      )}
    </SectionCard>
  );
}

function Layers({ steps }: { steps: BuildStep[] }) {
  let layerNumber = 0;
  return (
    <SectionCard id="layers" title="Layers">
      <DataTable
        id="manifest-layers"
        label="Layers and the build steps that made them"
        columns={["Layer", "Instruction", "Size", "Digest"]}
        rows={steps}
        pager={null}
        empty={<EmptyState title="No layers">This manifest carries no layers.</EmptyState>}
        row={(step) => (
          <tr class="pf-v6-c-table__tr" data-testid={step.layer ? "layer-row" : "empty-step-row"}>
            <Cell label="Layer" muted={!step.layer}>
              {step.layer ? String(++layerNumber) : "no layer"}
            </Cell>
            <Cell label="Instruction">
              {step.instruction ? <code data-testid="instruction">{step.instruction}</code> : <span class="qs-muted">Unknown</span>}
            </Cell>
            <Cell label="Size">{step.layer ? humanSize(step.layer.size) : "—"}</Cell>
            <Cell label="Digest">{step.layer ? <code title={step.layer.digest}>{shortDigest(step.layer.digest)}</code> : "—"}</Cell>
          </tr>
        )}
      />
    </SectionCard>
  );
}

function IndexChildren({ path, items }: { path: string; items: ManifestChild[] }) {
  return (
    <SectionCard id="children" title="Manifests in this index">
      <DataTable
        id="manifest-children"
        label="Manifests in this index"
        columns={["OS", "Architecture", "Variant", "Digest", "Size"]}
        rows={items}
        pager={null}
        empty={<EmptyState title="No manifests">This index lists no manifests.</EmptyState>}
        row={(child) => (
          <tr class="pf-v6-c-table__tr" data-testid="child-row">
            <Cell label="OS">{child.platform?.os ?? "—"}</Cell>
            <Cell label="Architecture">{child.platform?.architecture ?? "—"}</Cell>
            <Cell label="Variant">{child.platform?.variant ?? "—"}</Cell>
            <Cell label="Digest">
              {child.present ? (
                <a href={manifestHref(path, child.digest)} title={child.digest}>
                  {shortDigest(child.digest)}
                </a>
              ) : (
                <span title={child.digest}>{shortDigest(child.digest)} (not in this repository)</span>
              )}
            </Cell>
            <Cell label="Size">{humanSize(child.size)}</Cell>
          </tr>
        )}
      />
    </SectionCard>
  );
}

function Referrers({ path, referrers }: { path: string; referrers: ManifestReferrer[] }) {
  return (
    <SectionCard id="referrers" title="Referrers">
      <DataTable
        id="manifest-referrers"
        label="Manifests that refer to this one"
        columns={["Kind", "Artifact type", "Digest", "Size"]}
        rows={referrers}
        pager={null}
        empty={<EmptyState title="Nothing refers to this manifest">Signatures, SBOMs and attestations pushed for it appear here.</EmptyState>}
        row={(r) => (
          <tr class="pf-v6-c-table__tr" data-testid="referrer-row">
            <Cell label="Kind">{KIND_LABELS[r.kind]}</Cell>
            <Cell label="Artifact type">{r.artifactType ? <code>{r.artifactType}</code> : "—"}</Cell>
            <Cell label="Digest">
              <a href={manifestHref(path, r.digest)} title={r.digest}>
                {shortDigest(r.digest)}
              </a>
            </Cell>
            <Cell label="Size">{humanSize(r.size)}</Cell>
          </tr>
        )}
      />
    </SectionCard>
  );
}

export function ManifestPage({ chrome, path, registryHost, manifest, writer, labelForm, notice, copyScript, scanned }: ManifestPageProps) {
  return (
    <Layout chrome={chrome} title={`${path}@${shortDigest(manifest.digest)}`}>
      <Section>
        <Breadcrumb trail={[{ href: "/repositories", label: "Repositories" }, { href: `/repository/${path}`, label: path }]} />
        <h1 class="pf-v6-c-title pf-m-2xl qs-gap-below">
          {KIND_LABELS[manifest.kind]} {shortDigest(manifest.digest)}
        </h1>
        {notice && <Notice text={notice} testid="manifest-notice" />}
        {!manifest.isIndex && <ManifestTabs path={path} digest={manifest.digest} current="details" />}
        <Summary path={path} manifest={manifest} />
        <h2 class="pf-v6-c-title pf-m-md">Pull by digest</h2>
        <CopyField id="pull-by-digest" label="Pull by digest" text={`podman pull ${registryHost}/${path}@${manifest.digest}`} />
        <div id="copy-status" class="pf-v6-screen-reader" aria-live="polite"></div>
      </Section>
      <Section>
        <Labels path={path} manifest={manifest} writer={writer} csrfToken={chrome.csrfToken} form={labelForm} />
        {manifest.isIndex ? <IndexChildren path={path} items={manifest.children} /> : <Layers steps={manifest.steps} />}
        {manifest.kind === "image" && <SbomActions path={path} digest={manifest.digest} scanned={scanned} csrfToken={writer ? chrome.csrfToken : null} />}
        <Referrers path={path} referrers={manifest.referrers} />
        <Annotations annotations={manifest.annotations} />
      </Section>
      <script src={copyScript} defer></script>
    </Layout>
  );
}

/** The question before an API label is deleted. */
export function DeleteLabelPage({ chrome, path, digest, label }: { chrome: Chrome; path: string; digest: string; label: Label }) {
  return (
    <Layout chrome={chrome} title={`Delete label ${label.key}`}>
      <Section>
        <ConfirmCard
          title={`Delete the label ${label.key}?`}
          text={`The label ${label.key}=${label.value} will be removed from manifest ${shortDigest(digest)} of ${path}.`}
          action={labelDeleteHref(path, digest, label.id)}
          submit="Delete label"
          cancelHref={manifestHref(path, digest)}
          csrfToken={chrome.csrfToken}
        />
      </Section>
    </Layout>
  );
}
