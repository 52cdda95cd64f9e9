// RHEL, Fedora, CentOS, Oracle, Amazon and SUSE packages from rpm's SQLite database (rpm ≥ 4.16:
// var/lib/rpm/rpmdb.sqlite, or usr/lib/sysimage/rpm/ where Fedora and SUSE moved it). Each row of
// its Packages table is one package header. The older Berkeley DB and ndb formats are not read.
import type { FoundPackage, PackageDetector } from "../package-types.ts";
import { parseRpmHeader, RPMTAG } from "./rpm-header.ts";
import { sqliteRows } from "./sqlite-table.ts";

const DATABASES = ["var/lib/rpm/rpmdb.sqlite", "usr/lib/sysimage/rpm/rpmdb.sqlite"];

/** "openssl-3.0.7-25.el9_3.src.rpm" → name "openssl", version "3.0.7-25.el9_3". */
export function parseSourceRpm(file: string): { name: string; version: string } | null {
  const match = /^(.+)-([^-]+)-([^-]+)\.(?:no)?src\.rpm$/.exec(file);
  return match ? { name: match[1]!, version: `${match[2]}-${match[3]}` } : null;
}

/** A package from its header; the gpg-pubkey entries rpm keeps for imported keys are not packages. */
export function packageFromHeader(blob: Uint8Array, path: string): FoundPackage | null {
  const header = parseRpmHeader(blob);
  const name = header.strings.get(RPMTAG.NAME);
  const version = header.strings.get(RPMTAG.VERSION);
  const release = header.strings.get(RPMTAG.RELEASE);
  if (!name || !version || !release || name === "gpg-pubkey") return null;
  const epoch = header.ints.get(RPMTAG.EPOCH);
  // rpm compares a missing epoch as 0, so 0 is left out as rpm -q does.
  const pkg: FoundPackage = { name, version: `${epoch ? `${epoch}:` : ""}${version}-${release}`, ecosystem: "rpm", path };
  const arch = header.strings.get(RPMTAG.ARCH);
  if (arch) pkg.arch = arch;
  const source = parseSourceRpm(header.strings.get(RPMTAG.SOURCERPM) ?? "");
  if (source) {
    pkg.sourceName = source.name;
    pkg.sourceVersion = source.version;
  }
  return pkg;
}

export function parseRpmSqlite(database: Uint8Array, path: string): FoundPackage[] {
  const found: FoundPackage[] = [];
  // Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)
  for (const [, blob] of sqliteRows(database, "Packages")) {
    if (!(blob instanceof Uint8Array)) continue;
    const pkg = packageFromHeader(blob, path);
    if (pkg) found.push(pkg);
  }
  return found;
}

export const rpmDetector: PackageDetector = {
  name: "rpm",
  wants: (path) => DATABASES.includes(path),
  // A full Fedora install's database is tens of megabytes.
  maxBytes: 128 * 1024 * 1024,
  detect: (path, content) => parseRpmSqlite(content, path),
};
