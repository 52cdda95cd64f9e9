// Java archives (JAR, WAR, EAR): Maven writes `META-INF/maven/<groupId>/<artifactId>/pom.properties`
// into what it builds (a shaded jar keeps one per artifact inside it); without one, the main
// section of META-INF/MANIFEST.MF names the archive. Archives nested inside (a WAR's
// WEB-INF/lib, an EAR's modules, a Spring Boot jar's BOOT-INF/lib) are read in turn; their
// packages' path is `outer.war!/WEB-INF/lib/inner.jar`, the JAR URL convention.
import type { FoundPackage, PackageDetector } from "../package-types.ts";
import { readZipEntry, ZipError, zipEntries, type ZipEntry } from "../zip.ts";
import { headerFields } from "./header-fields.ts";

const ARCHIVE = /\.(?:jar|war|ear)$/i;
const POM_PROPERTIES = /^META-INF\/maven\/[^/]+\/[^/]+\/pom\.properties$/;
const MANIFEST = /^META-INF\/MANIFEST\.MF$/i;
/** An EAR holding a WAR holding jars is as deep as real deployments go. */
const MAX_NESTING = 3;
/**
 * What one archive costs at most, held at once: the archive itself, read whole (a Spring Boot jar
 * of 60 MB fits), and the nested archives being inflated inside it, which share a second budget
 * down the chain (stored ones, as Spring Boot's, are read in place and cost nothing). Larger ones
 * are skipped with a problem, so scanning stays within its memory whatever an image holds.
 */
const ARCHIVE_MAX_BYTES = 64 * 1024 * 1024;
const INFLATED_MAX_BYTES = 16 * 1024 * 1024;
const METADATA_MAX_BYTES = 1024 * 1024;

/** Java .properties `key=value` / `key: value` lines (comments start with # or !). */
function properties(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith("!")) continue;
    const separator = /\s*[=:]\s*|\s+/.exec(line);
    if (!separator) continue;
    values.set(line.slice(0, separator.index), line.slice(separator.index + separator[0].length));
  }
  return values;
}

function readText(archive: Uint8Array, entry: ZipEntry): string {
  const bytes = readZipEntry(archive, entry, METADATA_MAX_BYTES);
  return bytes ? new TextDecoder().decode(bytes) : "";
}

function fromPomProperties(text: string, entryName: string): Identity | undefined {
  const values = properties(text);
  // The directory names the artifact too, for the rare file missing a key.
  const [, , dirGroup, dirArtifact] = entryName.split("/");
  const groupId = values.get("groupId") || dirGroup;
  const artifactId = values.get("artifactId") || dirArtifact;
  const version = values.get("version");
  return version ? { name: `${groupId}:${artifactId}`, version } : undefined;
}

type Identity = { name: string; version: string };

/**
 * The archive's name from one manifest section: Implementation-Title/Version (grouped by
 * Implementation-Vendor-Id when given), preferring the OSGi bundle name over a title that is a
 * sentence rather than a name.
 */
function sectionIdentity(fields: Map<string, string>): Identity | undefined {
  const title = fields.get("implementation-title");
  const version = fields.get("implementation-version");
  const vendorId = fields.get("implementation-vendor-id");
  if (title && version && vendorId) return { name: `${vendorId}:${title}`, version };
  if (title && version && !/\s/.test(title)) return { name: title, version };
  const bundle = fields.get("bundle-symbolicname")?.split(";")[0]?.trim();
  const bundleVersion = fields.get("bundle-version");
  if (bundle && bundleVersion) return { name: bundle, version: bundleVersion };
  return title && version ? { name: title, version } : undefined;
}

/** The main section names the archive; some builds (Ant's own jar) name it only in a per-package section. */
function fromManifest(text: string): Identity | undefined {
  for (const section of text.split(/(?:\r?\n){2,}/)) {
    const identity = sectionIdentity(headerFields(section));
    if (identity) return identity;
  }
  return undefined;
}

type Problem = (message: string) => void;

function archivePackages(path: string, archive: Uint8Array, depth: number, inflateBudget: number, problem: Problem): FoundPackage[] {
  let entries: ZipEntry[];
  try {
    entries = zipEntries(archive);
  } catch (error) {
    if (error instanceof ZipError) return [];
    throw error;
  }
  const found: FoundPackage[] = [];
  const add = (identity: Identity | undefined) => {
    if (identity) found.push({ ...identity, ecosystem: "maven", path });
  };
  const poms = entries.filter((entry) => POM_PROPERTIES.test(entry.name));
  try {
    for (const pom of poms) add(fromPomProperties(readText(archive, pom), pom.name));
    const manifest = entries.find((entry) => MANIFEST.test(entry.name));
    if (poms.length === 0 && manifest) add(fromManifest(readText(archive, manifest)));
  } catch (error) {
    if (!(error instanceof ZipError)) throw error;
  }
  if (depth + 1 >= MAX_NESTING) return found;
  for (const entry of entries) {
    if (!ARCHIVE.test(entry.name)) continue;
    const stored = entry.method === 0;
    if (!stored && entry.size > inflateBudget) {
      problem(`${path}!/${entry.name}: larger than ${inflateBudget} bytes inflated, not read`);
      continue;
    }
    try {
      const nested = readZipEntry(archive, entry, stored ? archive.byteLength : inflateBudget);
      const left = stored ? inflateBudget : inflateBudget - (nested?.byteLength ?? 0);
      if (nested) found.push(...archivePackages(`${path}!/${entry.name}`, nested, depth + 1, left, problem));
    } catch (error) {
      if (!(error instanceof ZipError)) throw error;
    }
  }
  return found;
}

export const javaDetector: PackageDetector = {
  name: "java",
  maxBytes: ARCHIVE_MAX_BYTES,
  wants: (path) => ARCHIVE.test(path),
  detect: (path, content, problem = () => undefined) => archivePackages(path, content, 0, INFLATED_MAX_BYTES, problem),
};
