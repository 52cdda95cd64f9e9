// What a repository's writers and admins change from its page: writers the description, admins
// also the visibility, its permissions, its notifications, its mirroring and deleting it (asked first on a page of its own, where
// the full name must be typed).
import { ConfirmCard } from "./confirm-card.tsx";
import { CsrfField, FormActions, SelectField, TextAreaField, TextField } from "./form-field.tsx";
import { SectionCard } from "./section-card.tsx";

export interface AdminRepo {
  namespace: string;
  name: string;
  description: string;
  visibility: "public" | "private";
}

const repoPath = (repo: AdminRepo) => `${repo.namespace}/${repo.name}`;

export const VISIBILITY_OPTIONS = [
  { value: "private", label: "Private: only people and robots given access" },
  { value: "public", label: "Public: anyone may pull" },
];

/** Which setting was just saved (the forms come back here with `?saved=`). */
export type SavedSetting = "description" | "visibility";

export const savedSetting = (raw: string | undefined): SavedSetting | undefined =>
  raw === "description" || raw === "visibility" ? raw : undefined;

export function RepositoryAdmin({
  repo,
  csrfToken,
  saved,
  admin,
}: {
  repo: AdminRepo;
  csrfToken: string;
  saved?: SavedSetting;
  /** False for writers: the description only. */
  admin: boolean;
}) {
  const path = repoPath(repo);
  return (
    <SectionCard id="repository-admin" title="Settings">
      {saved && (
        <div class="pf-v6-c-alert pf-m-success pf-m-inline qs-gap-below" role="status" data-testid="settings-notice">
          <p class="pf-v6-c-alert__title">{saved === "description" ? "Description saved." : `The repository is now ${repo.visibility}.`}</p>
        </div>
      )}
      <form class="pf-v6-c-form qs-gap-below" method="post" action={`/repository-description/${path}`}>
        <CsrfField token={csrfToken} />
        <TextAreaField name="description" label="Description" value={repo.description} hint="Markdown: headings, emphasis, code, lists and links" />
        <FormActions submit="Save description" style="secondary" />
      </form>
      {admin && (
        <>
          <form class="pf-v6-c-form qs-gap-below" method="post" action={`/repository-visibility/${path}`}>
            <CsrfField token={csrfToken} />
            <SelectField name="visibility" label="Visibility" value={repo.visibility} options={VISIBILITY_OPTIONS} />
            <FormActions submit="Save visibility" style="secondary" />
          </form>
          <a class="pf-v6-c-button pf-m-secondary qs-gap-below" href={`/repository-permissions/${path}`} data-testid="repository-permissions">
            <span class="pf-v6-c-button__text">Permissions</span>
          </a>{" "}
          <a class="pf-v6-c-button pf-m-secondary qs-gap-below" href={`/repository-notifications/${path}`} data-testid="repository-notifications">
            <span class="pf-v6-c-button__text">Notifications</span>
          </a>{" "}
          <a class="pf-v6-c-button pf-m-secondary qs-gap-below" href={`/repository-mirror/${path}`} data-testid="repository-mirroring">
            <span class="pf-v6-c-button__text">Mirroring</span>
          </a>{" "}
          <a class="pf-v6-c-button pf-m-danger" href={`/repository-delete/${path}`} data-testid="delete-repository">
            <span class="pf-v6-c-button__text">Delete repository</span>
          </a>
        </>
      )}
    </SectionCard>
  );
}

/** The delete question: the repository's full name must be typed to confirm. */
export function DeleteRepositoryCard({ repo, csrfToken, error }: { repo: AdminRepo; csrfToken: string | null; error?: string }) {
  const path = repoPath(repo);
  return (
    <ConfirmCard
      title={`Delete ${path}?`}
      text={<>Its tags and manifests go at once and cannot be brought back. Type <strong>{path}</strong> to confirm.</>}
      action={`/repository-delete/${path}`}
      submit="Delete repository"
      cancelHref={`/repository/${path}?tab=settings`}
      csrfToken={csrfToken}
      fields={<TextField name="confirm" label="Repository name" required error={error} autocomplete="off" autofocus />}
    />
  );
}
