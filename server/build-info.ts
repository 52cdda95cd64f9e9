// What `quayside --version` prints. `npm run compile` stamps the version and the git commit into
// the binary; run from source, the version is package.json's and the commit is not known.
import { readFileSync } from "node:fs";
import { projectPath } from "./paths.ts";

let stamped: { version: string; commit: string } | undefined;

/** Called by the compiled binary's entry before anything else. */
export function stampBuild(version: string, commit: string): void {
  stamped = { version, commit };
}

/** The release version alone (SBOMs name the tool that made them with it). */
export function buildVersion(): string {
  return stamped?.version ?? (JSON.parse(readFileSync(projectPath("package.json"), "utf8")) as { version: string }).version;
}

export function versionText(): string {
  return `quayside ${buildVersion()} (commit ${stamped?.commit ?? "unknown, run from source"})`;
}
