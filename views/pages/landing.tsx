// What a signed-out visitor sees at `/`: what this is, a search box and the way to Explore.
import { type Chrome, Layout, Section } from "../layout.tsx";
import { SearchForm } from "./search.tsx";

export function LandingPage({ chrome }: { chrome: Chrome }) {
  return (
    <Layout chrome={chrome} title="Welcome">
      <Section>
        <h1 class="pf-v6-c-title pf-m-3xl">Quayside container registry</h1>
        <p class="qs-gap-above">Store, find and pull container images, Helm charts and other OCI artifacts.</p>
        <SearchForm value="" label="Search repositories, users and organizations" />
        <p>
          <a class="pf-v6-c-button pf-m-secondary" href="/explore" data-testid="landing-explore">
            <span class="pf-v6-c-button__text">Explore public repositories</span>
          </a>
        </p>
      </Section>
    </Layout>
  );
}
