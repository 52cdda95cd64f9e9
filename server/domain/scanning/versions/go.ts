// Go module version ordering: semantic versions with a `v` (pseudo-versions such as
// v0.0.0-20191109021931-daa7c04131f5 are pre-releases, so they order by their timestamp; the
// +incompatible mark is build metadata and ignored). The `v` is optional because OSV writes Go
// versions without it; Go toolchain versions (go1.21.3, go1.21rc2) are read as 1.21.3 and
// 1.21.0-rc.2.
import { compareParsedOrText } from "./compare.ts";
import { compareParsedSemver, parseSemver, type SemVer } from "./semver.ts";

const TOOLCHAIN_PRERELEASE = /^(\d+)\.(\d+)(?:\.(\d+))?(rc|beta)(\d+)$/;

export function parseGoVersion(version: string): SemVer | undefined {
  const text = version.trim().replace(/^go(?=\d)/, "");
  const toolchain = TOOLCHAIN_PRERELEASE.exec(text);
  if (toolchain) {
    return { core: [toolchain[1]!, toolchain[2]!, toolchain[3] ?? "0"], prerelease: [toolchain[4]!, toolchain[5]!] };
  }
  return parseSemver(text);
}

export function compareGo(a: string, b: string): number {
  return compareParsedOrText(a, b, parseGoVersion, compareParsedSemver);
}
