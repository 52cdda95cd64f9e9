// The tabs of an image's manifest pages: its details, its security scan and its packages.
import { manifestHref } from "../pages/manifest.tsx";
import { packagesHref, securityHref } from "./scan-status.tsx";
import { Tabs } from "./tabs.tsx";

export type ManifestTab = "details" | "security" | "packages";

export function ManifestTabs({ path, digest, current }: { path: string; digest: string; current: ManifestTab }) {
  return (
    <Tabs
      label="Manifest"
      tabs={[
        { label: "Details", href: manifestHref(path, digest), current: current === "details" },
        { label: "Security", href: securityHref(path, digest), current: current === "security" },
        { label: "Packages", href: packagesHref(path, digest), current: current === "packages" },
      ]}
    />
  );
}
