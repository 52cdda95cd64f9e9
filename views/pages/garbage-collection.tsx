// The superuser's garbage-collection page: the latest run's progress (refreshed while one is
// running), a "run now" button, and "why is this blob kept?" for a digest.
import { humanSize, isoTime } from "../format.ts";
import { type Chrome, Layout, Section } from "../layout.tsx";
import { TimeAgo } from "../partials/data-table.tsx";
import { DescriptionItem } from "../partials/description-list.tsx";
import { EmptyState } from "../partials/empty-state.tsx";
import { CsrfField, FormActions, TextField } from "../partials/form-field.tsx";
import { Notice } from "../partials/notice.tsx";
import { SectionCard } from "../partials/section-card.tsx";

export interface GcRunView {
  startedAt: Date;
  finishedAt: Date | null;
  phase: string;
  manifestsExamined: number;
  manifestsDeleted: number;
  blobsExamined: number;
  blobsDeleted: number;
  uploadsDeleted: number;
  bytesReclaimed: number;
  error: string | null;
}

export type KeepReasonView =
  | { kind: "live-tag"; repository: string; tag: string; manifest: string }
  | { kind: "time-machine"; repository: string; tag: string; manifest: string; until: Date }
  | { kind: "recent-push"; repository: string; manifest: string; until: Date };

export interface BlobExplanationView {
  digest: string;
  stored: boolean;
  size: number | null;
  kept: boolean;
  manifests: { repository: string; digest: string; reasons: KeepReasonView[] }[];
  links: { repository: string; linkedAt: Date; keepsUntil: Date | null }[];
}

export interface GcPageProps {
  chrome: Chrome;
  now: Date;
  running: boolean;
  graceSeconds: number;
  latest?: GcRunView;
  /** After "run now": whether it started one (false: one was already going on). */
  started?: boolean;
  digest: string;
  digestError?: string;
  blob?: BlobExplanationView;
}

const At = ({ date }: { date: Date }) => <time datetime={isoTime(date)}>{isoTime(date).replace("T", " ").slice(0, 19)} UTC</time>;

/** The status card; while a run goes on it asks for itself again every two seconds. */
export function GcStatusCard({ now, running, latest }: Pick<GcPageProps, "now" | "running" | "latest">) {
  const refresh = running ? { "hx-get": "/superuser/gc", "hx-trigger": "every 2s", "hx-target": "#gc-status", "hx-select": "#gc-status", "hx-swap": "outerHTML" } : {};
  return (
    <div id="gc-status" {...refresh}>
      <SectionCard id="gc-status-card" title="Status">
        {!latest ? (
          <EmptyState title="No run yet">Collection runs every ten minutes; start one now with the button below.</EmptyState>
        ) : (
          <dl class="pf-v6-c-description-list pf-m-horizontal" data-testid="gc-facts">
            <DescriptionItem term="Now">{running ? `Running (${latest.phase})` : "Idle"}</DescriptionItem>
            <DescriptionItem term="Last run started">
              <TimeAgo date={latest.startedAt} now={now} />
            </DescriptionItem>
            <DescriptionItem term="Finished">{latest.finishedAt ? <TimeAgo date={latest.finishedAt} now={now} /> : "Not yet"}</DescriptionItem>
            <DescriptionItem term="Manifests examined">{`${latest.manifestsExamined} (${latest.manifestsDeleted} deleted)`}</DescriptionItem>
            <DescriptionItem term="Blobs examined">{`${latest.blobsExamined} (${latest.blobsDeleted} deleted)`}</DescriptionItem>
            <DescriptionItem term="Abandoned uploads removed">{String(latest.uploadsDeleted)}</DescriptionItem>
            <DescriptionItem term="Bytes reclaimed">{humanSize(latest.bytesReclaimed)}</DescriptionItem>
            {latest.error && <DescriptionItem term="Error">{latest.error}</DescriptionItem>}
          </dl>
        )}
      </SectionCard>
    </div>
  );
}

function Reason({ reason }: { reason: KeepReasonView }) {
  const where = `${reason.repository}@${reason.manifest}`;
  switch (reason.kind) {
    case "live-tag":
      return <li>Live tag <strong>{reason.tag}</strong> on {where}</li>;
    case "time-machine":
      return (
        <li>
          Tag <strong>{reason.tag}</strong> on {where}, in the time machine until <At date={reason.until} />
        </li>
      );
    case "recent-push":
      return (
        <li>
          {where} was pushed recently: kept until <At date={reason.until} />
        </li>
      );
  }
}

export function BlobExplanation({ blob }: { blob: BlobExplanationView }) {
  if (!blob.stored) {
    return (
      <p data-testid="gc-verdict" role="status">
        No blob <code>{blob.digest}</code> is stored: it was never pushed, or has been collected.
      </p>
    );
  }
  return (
    <div>
      <p data-testid="gc-verdict" role="status">
        <code>{blob.digest}</code> ({humanSize(blob.size ?? 0)}):{" "}
        <strong>{blob.kept ? "kept" : "not kept: will be collected"}</strong>
      </p>
      <h3 class="pf-v6-c-title pf-m-md">Manifests that reference it</h3>
      {blob.manifests.length === 0 ? (
        <p class="qs-muted">None.</p>
      ) : (
        <ul class="qs-gap-below" data-testid="gc-manifests">
          {blob.manifests.map((m) => (
            <li>
              {m.repository}@{m.digest}:{" "}
              {m.reasons.length === 0 ? (
                "nothing keeps it (collected with its blobs)"
              ) : (
                <ul>
                  {m.reasons.map((r) => (
                    <Reason reason={r} />
                  ))}
                </ul>
              )}
            </li>
          ))}
        </ul>
      )}
      <h3 class="pf-v6-c-title pf-m-md">Repositories it was pushed or mounted into</h3>
      {blob.links.length === 0 ? (
        <p class="qs-muted">None.</p>
      ) : (
        <ul data-testid="gc-links">
          {blob.links.map((l) => (
            <li>
              {l.repository}, <At date={l.linkedAt} />
              {l.keepsUntil && (
                <>
                  {": recent, kept until "}
                  <At date={l.keepsUntil} />
                </>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function GcPage(props: GcPageProps) {
  const { chrome } = props;
  return (
    <Layout chrome={chrome} title="Garbage collection">
      <Section>
        <h1 class="pf-v6-c-title pf-m-2xl qs-gap-below">Garbage collection</h1>
        <p class="qs-muted qs-gap-below">
          Manifests no live tag, time-machine entry, index or kept subject reaches, and blobs no remaining manifest
          references, are deleted every ten minutes while pushes go on. Pushes younger than{" "}
          {Math.round(props.graceSeconds / 60)} minutes are always kept.
        </p>
        {props.started === true && <Notice text="A collection run has started." testid="gc-started" />}
        {props.started === false && <Notice text="A collection run is already going on." testid="gc-started" />}
        <GcStatusCard now={props.now} running={props.running} latest={props.latest} />
        {chrome.csrfToken && (
          <form method="post" action="/superuser/gc/run" class="qs-gap-below">
            <CsrfField token={chrome.csrfToken} />
            <button class="pf-v6-c-button pf-m-primary" type="submit" data-testid="gc-run-now">
              <span class="pf-v6-c-button__text">Run now</span>
            </button>
          </form>
        )}
        <div id="gc-explain-card">
          <SectionCard id="gc-explain" title="Why is this blob kept?">
            <form class="pf-v6-c-form" method="get" action="/superuser/gc" hx-get="/superuser/gc" hx-target="#gc-explain-card" hx-select="#gc-explain-card" hx-swap="outerHTML" hx-push-url="true" novalidate>
              <TextField name="digest" label="Blob digest" value={props.digest} error={props.digestError} hint="e.g. sha256:0123… (a layer or config)" autocomplete="off" />
              <FormActions submit="Explain" />
            </form>
            <div id="gc-explanation" aria-live="polite">
              {props.blob && <BlobExplanation blob={props.blob} />}
            </div>
          </SectionCard>
        </div>
      </Section>
    </Layout>
  );
}
