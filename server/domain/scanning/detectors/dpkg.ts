// Debian and Ubuntu packages from dpkg's database: var/lib/dpkg/status on ordinary images, one
// file per package under var/lib/dpkg/status.d/ on distroless ones (which have no dpkg).
import type { FoundPackage, PackageDetector } from "../package-types.ts";
import { paragraphs, utf8 } from "./stanzas.ts";

const STATUS = "var/lib/dpkg/status";
const STATUS_D = "var/lib/dpkg/status.d/";

/** Field name → value for one RFC 822-style paragraph; continuation lines are dropped. */
function fields(lines: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of lines) {
    if (line.startsWith(" ") || line.startsWith("\t")) continue;
    const colon = line.indexOf(":");
    if (colon > 0) out.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  return out;
}

/** "Status: install ok installed": only the last word (the package state) matters. */
function isInstalled(status: string | undefined): boolean {
  if (status === undefined) return true; // status.d files carry no Status field
  const state = status.split(/\s+/).at(-1);
  return state === "installed" || state === "half-configured" || state === "triggers-awaited" || state === "triggers-pending";
}

export function parseDpkgStatus(text: string, path: string): FoundPackage[] {
  const found: FoundPackage[] = [];
  for (const paragraph of paragraphs(text)) {
    const values = fields(paragraph);
    const name = values.get("package");
    const version = values.get("version");
    if (!name || !version || !isInstalled(values.get("status"))) continue;
    const pkg: FoundPackage = { name, version, ecosystem: "dpkg", path };
    const arch = values.get("architecture");
    if (arch) pkg.arch = arch;
    // "Source: openssl" or "Source: openssl (3.0.11-1)" when the source version differs.
    const source = /^(\S+)(?:\s+\((\S+)\))?$/.exec(values.get("source") ?? "");
    if (source) {
      pkg.sourceName = source[1]!;
      pkg.sourceVersion = source[2] ?? version;
    }
    found.push(pkg);
  }
  return found;
}

export const dpkgDetector: PackageDetector = {
  name: "dpkg",
  wants: (path) => path === STATUS || (path.startsWith(STATUS_D) && !path.endsWith(".md5sums") && !path.slice(STATUS_D.length).includes("/")),
  maxBytes: 32 * 1024 * 1024,
  detect: (path, content) => parseDpkgStatus(utf8.decode(content), path),
};
