// One tag of a repository: what it points to and until when, and for writers the changes Quay's
// tag page offers: another tag on this manifest, move this tag (asked first, showing from and
// to), set or clear its expiry, delete it (asked first). The tag's history sits below, with
// restore and revert while the time machine holds the rows.
import { humanSize, isoTime, shortDigest } from "../format.ts";
import { Layout, Section } from "../layout.tsx";
import type { Chrome } from "../layout.tsx";
import { ConfirmCard } from "../partials/confirm-card.tsx";
import { DescriptionItem } from "../partials/description-list.tsx";
import { EmptyState } from "../partials/empty-state.tsx";
import { CsrfField, FormActions, TextField } from "../partials/form-field.tsx";
import { Notice } from "../partials/notice.tsx";
import { SectionCard } from "../partials/section-card.tsx";
import { TagHistory, type TagHistoryProps, tagActionQuery } from "../partials/tag-history.tsx";

export interface LiveTagFacts {
  digest: string;
  /** Compressed layer bytes; null for an index. */
  size: number | null;
  since: Date;
  expiresAt: Date | null;
}

/** Values typed into the tag page's forms, with the refusal for the one that failed. */
export interface TagForms {
  newTag?: { value: string; error?: string };
  moveTo?: { value: string; error?: string };
  expiresAt?: { value: string; error?: string };
}

export interface TagPageProps {
  chrome: Chrome;
  repoPath: string;
  tag: string;
  /** The tag now; null when it is deleted or expired (its history remains). */
  live: LiveTagFacts | null;
  canWrite: boolean;
  forms: TagForms;
  notice?: string;
  /** Why a history action (restore, permanent delete) was refused. */
  problem?: string;
  history: TagHistoryProps;
}

/** A time as the expiry field shows and takes it: `YYYY-MM-DDTHH:MM`, in UTC. */
export const datetimeLocalValue = (date: Date) => isoTime(date).slice(0, 16);

const tagHref = (repoPath: string, tag: string) => `/repository-tag/${repoPath}?${tagActionQuery(tag)}`;

export function TagPage(props: TagPageProps) {
  const { chrome, repoPath, tag, live, canWrite, forms } = props;
  const query = tagActionQuery(tag);
  return (
    <Layout chrome={chrome} title={`${repoPath}:${tag}`}>
      <Section>
        <h1 class="pf-v6-c-title pf-m-2xl qs-gap-below">
          Tag <code>{tag}</code> of <a href={`/repository/${repoPath}?tab=tags`}>{repoPath}</a>
        </h1>
        {props.notice && <Notice text={props.notice} testid="tag-notice" />}
        {props.problem && (
          <div class="pf-v6-c-alert pf-m-danger pf-m-inline qs-gap-below" role="alert" data-testid="tag-problem">
            <p class="pf-v6-c-alert__title">{props.problem}</p>
          </div>
        )}
        {live ? (
          <dl class="pf-v6-c-description-list pf-m-horizontal qs-gap-below" data-testid="tag-facts">
            <DescriptionItem term="Manifest">
              <a href={`/repository/${repoPath}/manifest/${live.digest}`}>
                <code data-testid="tag-digest">{live.digest}</code>
              </a>
            </DescriptionItem>
            <DescriptionItem term="Last modified">
              <time datetime={isoTime(live.since)}>{live.since.toUTCString()}</time>
            </DescriptionItem>
            <DescriptionItem term="Size">{live.size === null ? "Multi-architecture (see its manifests)" : humanSize(live.size)}</DescriptionItem>
            <DescriptionItem term="Expires">
              <span data-testid="tag-expires">
                {live.expiresAt ? <time datetime={isoTime(live.expiresAt)}>{live.expiresAt.toUTCString()}</time> : "Never"}
              </span>
            </DescriptionItem>
          </dl>
        ) : (
          <EmptyState title="This tag is not live">
            It was deleted or has expired. Restore it below while the time machine still holds it.
          </EmptyState>
        )}
        {live && canWrite && (
          <>
            <SectionCard id="add-tag" title="Add another tag to this manifest">
              <form class="pf-v6-c-form" method="post" action={`/repository-tag-add/${repoPath}?${query}`} novalidate>
                {chrome.csrfToken && <CsrfField token={chrome.csrfToken} />}
                <TextField name="new_tag" label="New tag" value={forms.newTag?.value ?? ""} error={forms.newTag?.error} required autocomplete="off" />
                <FormActions submit="Add tag" style="secondary" />
              </form>
            </SectionCard>
            <SectionCard id="move-tag" title="Move this tag to another manifest">
              <form class="pf-v6-c-form" method="get" action={`/repository-tag-move/${repoPath}`} novalidate>
                <input type="hidden" name="tag" value={tag} />
                <TextField
                  name="digest"
                  label="Manifest digest"
                  value={forms.moveTo?.value ?? ""}
                  error={forms.moveTo?.error}
                  hint="sha256:… of a manifest in this repository"
                  required
                  autocomplete="off"
                />
                <FormActions submit="Move tag…" style="secondary" />
              </form>
            </SectionCard>
            <SectionCard id="tag-expiration" title="Expiration">
              <form class="pf-v6-c-form" method="post" action={`/repository-tag-expiration/${repoPath}?${query}`} novalidate>
                {chrome.csrfToken && <CsrfField token={chrome.csrfToken} />}
                <TextField
                  name="expires_at"
                  type="datetime-local"
                  label="Expires at (UTC)"
                  value={forms.expiresAt?.value ?? (live.expiresAt ? datetimeLocalValue(live.expiresAt) : "")}
                  error={forms.expiresAt?.error}
                  hint="At least an hour after the tag was last pointed; leave empty and save to never expire."
                />
                <FormActions submit="Save expiration" style="secondary" />
              </form>
            </SectionCard>
            <SectionCard id="delete-tag" title="Delete this tag">
              <p class="qs-gap-below">The tag stays in the history and can be restored while the time machine holds it.</p>
              <a class="pf-v6-c-button pf-m-danger" href={`/repository-tag-delete/${repoPath}?${query}`}>
                <span class="pf-v6-c-button__text">Delete tag…</span>
              </a>
            </SectionCard>
          </>
        )}
        <h2 class="pf-v6-c-title pf-m-lg qs-gap-below">History of {tag}</h2>
        <TagHistory {...props.history} />
      </Section>
    </Layout>
  );
}

export interface TagConfirmProps {
  chrome: Chrome;
  repoPath: string;
  tag: string;
  kind: "move" | "revert" | "delete" | "purge";
  /** The manifest the tag points to now (move, revert, delete) or the history's (purge). */
  from: string | null;
  /** The manifest it is to point to (move, revert). */
  to?: string;
}

/** The question before a tag is moved, reverted, deleted or permanently deleted. */
export function TagConfirmPage({ chrome, repoPath, tag, kind, from, to }: TagConfirmProps) {
  const action = `/repository-tag-${kind}/${repoPath}?${tagActionQuery(tag, kind === "delete" ? undefined : (to ?? from ?? undefined))}`;
  const fromTo = (
    <>
      <code data-testid="confirm-from">{from ? shortDigest(from) : "nothing"}</code> → <code data-testid="confirm-to">{to && shortDigest(to)}</code>
    </>
  );
  const questions = {
    move: { title: `Move ${tag}?`, text: <>{tag} will point to another manifest: {fromTo}. Pulls of {tag} get the new one at once.</>, submit: "Move tag" },
    revert: { title: `Revert ${tag}?`, text: <>{tag} will point to the manifest it had before: {fromTo}.</>, submit: "Revert tag" },
    delete: {
      title: `Delete ${tag}?`,
      text: <>Pulls of {tag} will fail. It can be restored from the history while the time machine holds it.</>,
      submit: "Delete tag",
    },
    purge: {
      title: `Permanently delete ${tag} at ${from ? shortDigest(from) : ""}?`,
      text: <>This history of {tag} leaves the time machine: it can no longer be restored, and garbage collection may remove what only it kept.</>,
      submit: "Permanently delete",
    },
  }[kind];
  return (
    <Layout chrome={chrome} title={questions.title}>
      <Section>
        <ConfirmCard
          title={questions.title}
          text={questions.text}
          action={action}
          submit={questions.submit}
          cancelHref={tagHref(repoPath, tag)}
          csrfToken={chrome.csrfToken}
        />
      </Section>
    </Layout>
  );
}
