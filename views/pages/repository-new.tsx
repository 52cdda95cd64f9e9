// Creating a repository: in which namespace (the viewer's own or an organization where they may
// create), its name, description and visibility. Refusals sit under the field they are about.
import { type Chrome, Layout, Section } from "../layout.tsx";
import { VISIBILITY_OPTIONS } from "../partials/repository-admin.tsx";
import { CsrfField, focusedField, FormActions, FormError, SelectField, TextAreaField, TextField } from "../partials/form-field.tsx";

export interface NewRepositoryForm {
  values: { namespace: string; name: string; description: string; visibility: "public" | "private" };
  errors: Partial<Record<"namespace" | "name" | "form", string>>;
}

const FIELDS = ["namespace", "name"] as const;

export function NewRepositoryPage({ chrome, namespaces, form }: { chrome: Chrome; namespaces: string[]; form: NewRepositoryForm }) {
  const focus = focusedField(FIELDS, form.errors);
  return (
    <Layout chrome={chrome} title="Create repository">
      <Section>
        <div class="pf-v6-c-card qs-narrow">
          <div class="pf-v6-c-card__title">
            <h1 class="pf-v6-c-title pf-m-xl">Create repository</h1>
          </div>
          <div class="pf-v6-c-card__body">
            <form class="pf-v6-c-form" method="post" action="/repositories/new" novalidate>
              {chrome.csrfToken && <CsrfField token={chrome.csrfToken} />}
              <SelectField
                name="namespace"
                label="Namespace"
                value={form.values.namespace}
                options={namespaces.map((n) => ({ value: n, label: n }))}
                error={form.errors.namespace}
                hint="Your own namespace, or an organization where you may create repositories"
              />
              <TextField
                name="name"
                label="Repository name"
                required
                value={form.values.name}
                error={form.errors.name}
                hint="Lowercase letters, digits, and . _ or - between them; / separates parts"
                autocomplete="off"
                autofocus={focus === "name"}
              />
              <TextAreaField name="description" label="Description" value={form.values.description} hint="Markdown: headings, emphasis, code, lists and links" />
              <SelectField name="visibility" label="Visibility" value={form.values.visibility} options={VISIBILITY_OPTIONS} />
              {form.errors.form && <FormError message={form.errors.form} />}
              <FormActions submit="Create repository" cancelHref="/repositories" />
            </form>
          </div>
        </div>
      </Section>
    </Layout>
  );
}
