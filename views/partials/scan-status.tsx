// How a scan reads on a page: a severity with its colour swatch, and the short summary the Tags
// tab shows ("Queued", "Unsupported", "Passed", "70 Medium · 10 fixable") linking to the
// manifest's Security page. The colour is a swatch beside the words, so the text keeps its contrast.
import type { Severity } from "../../server/domain/notifications/catalog.ts";

/** A scan's state and counts, as the pages receive them. */
export interface ScanView {
  status: "queued" | "scanned" | "failed" | "unsupported";
  bySeverity: Record<Severity, number>;
  total: number;
  fixable: number;
  highest: Severity | null;
}

export const securityHref = (repoPath: string, digest: string) => `/repository/${repoPath}/manifest/${digest}?tab=security`;
export const packagesHref = (repoPath: string, digest: string) => `/repository/${repoPath}/manifest/${digest}?tab=packages`;

/** "Medium" with a swatch of Medium's colour. */
export function SeverityLabel({ severity, children }: { severity: Severity; children?: unknown }) {
  return (
    <span class={`qs-severity qs-severity-${severity.toLowerCase()}`} data-severity={severity}>
      <span class="qs-severity-swatch" aria-hidden="true" />
      {children ?? severity}
    </span>
  );
}

const STATUS_TEXT = { queued: "Queued", failed: "Failed", unsupported: "Unsupported" } as const;

/** The Tags tab's SECURITY SCAN cell content; `null` scan when the scanner is switched off. */
export function ScanSummary({ scan, repoPath, digest }: { scan: ScanView | null; repoPath: string; digest: string }) {
  if (scan === null) return <span class="qs-muted">Not scanned</span>;
  const href = securityHref(repoPath, digest);
  if (scan.status !== "scanned") {
    return (
      <a href={href} class="qs-muted" data-testid="scan-summary">
        {STATUS_TEXT[scan.status]}
      </a>
    );
  }
  if (scan.highest === null) {
    return (
      <a href={href} data-testid="scan-summary">
        Passed
      </a>
    );
  }
  const fixable = scan.fixable > 0 ? ` · ${scan.fixable} fixable` : "";
  return (
    <a href={href} data-testid="scan-summary">
      <SeverityLabel severity={scan.highest}>{`${scan.bySeverity[scan.highest]} ${scan.highest}${fixable}`}</SeverityLabel>
    </a>
  );
}
