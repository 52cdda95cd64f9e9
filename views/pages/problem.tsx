// A page that only says what went wrong: not found, a stale form, too much data, too many
// requests, a server error. Its title is the page's h1.
import { type Chrome, Layout, Section } from "../layout.tsx";
import { EmptyState } from "../partials/empty-state.tsx";

export function ProblemPage({ chrome, title, message }: { chrome: Chrome; title: string; message: string }) {
  return (
    <Layout chrome={chrome} title={title}>
      <Section>
        <EmptyState
          title={title}
          headingLevel={1}
          actions={
            <a class="pf-v6-c-button pf-m-primary" href="/">
              <span class="pf-v6-c-button__text">Go to repositories</span>
            </a>
          }
        >
          {message}
        </EmptyState>
      </Section>
    </Layout>
  );
}
