// RHEL, Fedora, CentOS, Oracle, Amazon and SUSE packages from rpm's database, one package header
// per record: the SQLite one of rpm ≥ 4.16 (rpmdb.sqlite, its Packages table) and the Berkeley DB
// hash file before it (Packages), in var/lib/rpm/ or usr/lib/sysimage/rpm/ where Fedora and SUSE
// moved it. SUSE's ndb format (Packages.db) is not read.
import type { FoundPackage, PackageDetector } from "../package-types.ts";
import { berkeleyDbHashValues } from "./berkeley-db.ts";
import { parseRpmHeader, RPMTAG } from "./rpm-header.ts";
import { sqliteRows } from "./sqlite-table.ts";

const DIRECTORIES = ["var/lib/rpm/", "usr/lib/sysimage/rpm/"];
const SQLITE_FILE = "rpmdb.sqlite";
const BERKELEY_DB_FILE = "Packages";
/** The smallest header: its two counts and one index entry. */
const MIN_HEADER_BYTES = 8 + 16;

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

function* sqliteHeaders(database: Uint8Array): Generator<Uint8Array> {
  // Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)
  for (const [, blob] of sqliteRows(database, "Packages")) if (blob instanceof Uint8Array) yield blob;
}

function* berkeleyDbHeaders(database: Uint8Array): Generator<Uint8Array> {
  // Keyed by package number; key 0 holds the next number to give out, a 4-byte value.
  for (const value of berkeleyDbHashValues(database)) if (value.length >= MIN_HEADER_BYTES) yield value;
}

export function parseRpmDatabase(database: Uint8Array, path: string): FoundPackage[] {
  const headers = path.endsWith(SQLITE_FILE) ? sqliteHeaders(database) : berkeleyDbHeaders(database);
  const found: FoundPackage[] = [];
  for (const header of headers) {
    const pkg = packageFromHeader(header, path);
    if (pkg) found.push(pkg);
  }
  return found;
}

export const rpmDetector: PackageDetector = {
  name: "rpm",
  wants: (path) => DIRECTORIES.some((dir) => path === dir + SQLITE_FILE || path === dir + BERKELEY_DB_FILE),
  // A full Fedora install's database is tens of megabytes.
  maxBytes: 128 * 1024 * 1024,
  detect: (path, content) => parseRpmDatabase(content, path),
};
