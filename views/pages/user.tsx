// A user's namespace page (`/user/{name}`): the repositories of theirs the viewer may see.
import { type Chrome, Layout, Section } from "../layout.tsx";
import { Commands, EmptyState } from "../partials/empty-state.tsx";
import { RepoTable, type RepoTableProps } from "../partials/repo-table.tsx";
import { StorageUsed } from "../partials/storage-used.tsx";

/** The empty repository list: how to push for the user themselves, why it is empty for others. */
export function UserReposEmpty({ name, self, registryHost }: { name: string; self: boolean; registryHost: string }) {
  return self ? (
    <EmptyState title="No repositories yet">
      Push an image and its repository appears here:
      <Commands lines={[`podman login ${registryHost}`, `podman push ${registryHost}/${name}/<repo>:<tag>`]} />
    </EmptyState>
  ) : (
    <EmptyState title="No repositories you can see">{name} has no public repositories and has shared none with you.</EmptyState>
  );
}

/** `storageBytes`: the unique blob bytes of the user's repositories, shown to the user alone. */
export function UserPage({ chrome, name, table, storageBytes }: { chrome: Chrome; name: string; table: RepoTableProps; storageBytes?: number }) {
  return (
    <Layout chrome={chrome} title={name}>
      <Section>
        <div class="qs-page-header">
          <h1 class="pf-v6-c-title pf-m-2xl">{name}</h1>
        </div>
        <h2 class="pf-v6-c-title pf-m-xl qs-gap-below">Repositories</h2>
        {storageBytes !== undefined && <StorageUsed bytes={storageBytes} />}
        <RepoTable {...table} />
      </Section>
    </Layout>
  );
}
