// Alpine packages from apk's installed database (lib/apk/db/installed): one paragraph per package
// of one-letter keys — P name, V version, A architecture, o origin (the source package).
import type { FoundPackage, PackageDetector } from "../package-types.ts";
import { paragraphs, utf8 } from "./stanzas.ts";

const INSTALLED = "lib/apk/db/installed";

export function parseApkInstalled(text: string, path: string): FoundPackage[] {
  const found: FoundPackage[] = [];
  for (const paragraph of paragraphs(text)) {
    const values = new Map<string, string>();
    for (const line of paragraph) {
      // Later keys repeat per file (F:, R:, Z:); only the first of each package-level key counts.
      if (line[1] === ":" && !values.has(line[0]!)) values.set(line[0]!, line.slice(2));
    }
    const name = values.get("P");
    const version = values.get("V");
    if (!name || !version) continue;
    const pkg: FoundPackage = { name, version, ecosystem: "apk", path };
    const arch = values.get("A");
    if (arch) pkg.arch = arch;
    const origin = values.get("o");
    if (origin) {
      pkg.sourceName = origin;
      pkg.sourceVersion = version;
    }
    found.push(pkg);
  }
  return found;
}

export const apkDetector: PackageDetector = {
  name: "apk",
  wants: (path) => path === INSTALLED,
  maxBytes: 32 * 1024 * 1024,
  detect: (path, content) => parseApkInstalled(utf8.decode(content), path),
};
