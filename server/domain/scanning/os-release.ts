// The distribution an image is built on. os-release (etc/ first, then usr/lib/, as systemd reads
// them) names it; images without one are recognised by the older release files their
// distributions have always shipped.
import type { Distribution } from "./package-types.ts";

/** Files the layer reader keeps the text of, in the order they are consulted. */
export const RELEASE_FILES = [
  "etc/os-release",
  "usr/lib/os-release",
  "etc/lsb-release",
  "etc/alpine-release",
  "etc/debian_version",
  "etc/oracle-release",
  "etc/centos-release",
  "etc/fedora-release",
  "etc/redhat-release",
  "etc/system-release",
] as const;

/** Release files are a few hundred bytes; anything far larger is not one. */
export const RELEASE_FILE_MAX_BYTES = 64 * 1024;

/** KEY=value lines with shell-style quoting, as os-release(5) and lsb-release write them. */
export function parseShellAssignments(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of text.split("\n")) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!match) continue;
    let value = match[2]!.trim();
    const quote = value[0];
    if ((quote === '"' || quote === "'") && value.endsWith(quote) && value.length >= 2) {
      value = value.slice(1, -1);
      if (quote === '"') value = value.replace(/\\([$"`\\])/g, "$1");
    }
    values.set(match[1]!, value);
  }
  return values;
}

/** The variable names a KEY=value release file gives each field under. */
interface AssignmentNames {
  id: string;
  versionId: string;
  codename: string;
  prettyName: string;
}

const OS_RELEASE_NAMES: AssignmentNames = { id: "ID", versionId: "VERSION_ID", codename: "VERSION_CODENAME", prettyName: "PRETTY_NAME" };
const LSB_RELEASE_NAMES: AssignmentNames = { id: "DISTRIB_ID", versionId: "DISTRIB_RELEASE", codename: "DISTRIB_CODENAME", prettyName: "DISTRIB_DESCRIPTION" };

function fromAssignments(text: string, names: AssignmentNames): Distribution | null {
  const values = parseShellAssignments(text);
  const id = values.get(names.id);
  if (!id) return null;
  return withOptional({
    id: id.toLowerCase(),
    versionId: values.get(names.versionId) ?? "",
    versionCodename: values.get(names.codename),
    prettyName: values.get(names.prettyName),
  });
}

/** etc/debian_version holds "12.5" on releases and "trixie/sid" on testing and unstable. */
function fromDebianVersion(text: string): Distribution {
  const line = text.trim();
  const release = /^(\d+)(\.\d+)*$/.exec(line);
  if (release) return { id: "debian", versionId: release[1]! };
  return withOptional({ id: "debian", versionId: "", versionCodename: line.split("/")[0] || undefined });
}

/** "Red Hat Enterprise Linux release 8.9 (Ootpa)", "CentOS Linux release 7.9.2009 (Core)", "Amazon Linux release 2 (Karoo)". */
const RELEASE_LINE_IDS: [RegExp, string][] = [
  [/^Red Hat Enterprise Linux/i, "rhel"],
  [/^CentOS Stream/i, "centos"],
  [/^CentOS/i, "centos"],
  [/^Fedora/i, "fedora"],
  [/^Oracle Linux/i, "ol"],
  [/^Amazon Linux/i, "amzn"],
  [/^Rocky Linux/i, "rocky"],
  [/^AlmaLinux/i, "almalinux"],
];

function fromReleaseLine(text: string): Distribution | null {
  const line = text.split("\n")[0]!.trim();
  const id = RELEASE_LINE_IDS.find(([pattern]) => pattern.test(line))?.[1];
  if (!id) return null;
  const version = /release\s+(\d+(?:\.\d+)*)/i.exec(line)?.[1] ?? "";
  // os-release's VERSION_ID is the major version on CentOS and Oracle Linux, major.minor on RHEL.
  const versionId = id === "centos" || id === "ol" ? version.split(".")[0]! : version;
  return { id, versionId, prettyName: line };
}

function withOptional(distribution: Distribution): Distribution {
  const out: Distribution = { id: distribution.id, versionId: distribution.versionId };
  if (distribution.versionCodename) out.versionCodename = distribution.versionCodename;
  if (distribution.prettyName) out.prettyName = distribution.prettyName;
  return out;
}

function fromFile(path: (typeof RELEASE_FILES)[number], text: string): Distribution | null {
  switch (path) {
    case "etc/os-release":
    case "usr/lib/os-release":
      return fromAssignments(text, OS_RELEASE_NAMES);
    case "etc/lsb-release":
      return fromAssignments(text, LSB_RELEASE_NAMES);
    case "etc/alpine-release":
      return text.trim() ? { id: "alpine", versionId: text.trim() } : null;
    case "etc/debian_version":
      return fromDebianVersion(text);
    default:
      return fromReleaseLine(text);
  }
}

/**
 * The distribution named by the first release file that says one. `textOf` gives a release file's
 * text in the final image, or undefined where it is absent (or a symlink, read through its target).
 */
export function detectDistribution(textOf: (path: string) => string | undefined): Distribution | null {
  for (const path of RELEASE_FILES) {
    const text = textOf(path);
    if (text === undefined) continue;
    const found = fromFile(path, text);
    if (found) return found;
  }
  return null;
}
