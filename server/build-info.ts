// What `quayside --version` prints. `npm run compile` stamps the version and the git commit into
// the binary; run from source, the version is package.json's and the commit is not known.
import { readFileSync } from "node:fs";
import { projectPath } from "./paths.ts";

let stamped: { version: string; commit: string } | undefined;

/** Called by the compiled binary's entry before anything else. */
export function stampBuild(version: string, commit: string): void {
  stamped = { version, commit };
}

export function versionText(): string {
  const { version, commit } = stamped ?? {
    version: (JSON.parse(readFileSync(projectPath("package.json"), "utf8")) as { version: string }).version,
    commit: "unknown, run from source",
  };
  return `quayside ${version} (commit ${commit})`;
}
