// A scanned image's software bill of materials: download it as SPDX or CycloneDX JSON (the API's
// document, which a session may fetch), and, for writers, push it into the repository as a
// referrer of the image (listed under Referrers and by the registry's referrers API).
import { CsrfField, FormActions, SelectField } from "./form-field.tsx";
import { SectionCard } from "./section-card.tsx";

export interface SbomActionsProps {
  /** `namespace/name`. */
  path: string;
  digest: string;
  /** The image's scan has finished (an SBOM needs its package list). */
  scanned: boolean;
  /** The viewer may push referrers (a writer with a session: the form's CSRF token). */
  csrfToken: string | null;
}

const FORMATS = [
  { value: "spdx", label: "SPDX 2.3 (JSON)" },
  { value: "cyclonedx", label: "CycloneDX 1.5 (JSON)" },
];

export const sbomDownloadHref = (path: string, digest: string, format: string) => `/api/v1/repository/${path}/manifest/${digest}/sbom?format=${format}`;
export const sbomAttachAction = (path: string, digest: string) => `/manifest-sbom/${path}/manifest/${digest}`;

export function SbomActions({ path, digest, scanned, csrfToken }: SbomActionsProps) {
  return (
    <SectionCard id="sbom" title="Software bill of materials">
      {scanned ? (
        <>
          <p class="qs-gap-below">The packages the scan found, each with its package URL and the layer that brought it.</p>
          <div class="pf-v6-c-action-list qs-gap-below" data-testid="sbom-downloads">
            {FORMATS.map((f) => (
              <div class="pf-v6-c-action-list__item">
                <a class="pf-v6-c-button pf-m-secondary" href={sbomDownloadHref(path, digest, f.value)} download>
                  <span class="pf-v6-c-button__text">Download {f.label}</span>
                </a>
              </div>
            ))}
          </div>
          {csrfToken && (
            <form class="pf-v6-c-form" method="post" action={sbomAttachAction(path, digest)} data-testid="sbom-attach">
              <CsrfField token={csrfToken} />
              <SelectField name="format" label="Attach to this image as a referrer" options={FORMATS} value="spdx" hint="Stored in this repository as an OCI artifact whose subject is this image." />
              <FormActions submit="Attach SBOM" style="secondary" />
            </form>
          )}
        </>
      ) : (
        <p class="qs-muted" data-testid="sbom-unavailable">
          Available once the image's security scan has finished.
        </p>
      )}
    </SectionCard>
  );
}
