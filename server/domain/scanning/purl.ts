// Package URLs (purl, github.com/package-url/purl-spec) for the packages the scanner finds, the
// identifiers SBOM readers and vulnerability databases match on. Each ecosystem has its purl type
// and its own way to split a name into namespace and name.
import type { Ecosystem } from "./package-types.ts";

export interface PurlPackage {
  ecosystem: Ecosystem | string;
  name: string;
  version: string;
  arch: string;
  sourceName: string;
  sourceVersion: string;
  /** The distribution an OS package was found on ("" ids for language packages). */
  distroId: string;
  distroVersionId: string;
}

/** Percent-encodes a purl component; ':' stays readable, as the spec allows outside the scheme. */
const encode = (s: string) => encodeURIComponent(s).replace(/%3A/g, ":");

/** Each '/'-separated segment encoded on its own (a Go module path keeps its slashes). */
const encodePath = (s: string) => s.split("/").filter(Boolean).map(encode).join("/");

/** Spec: the deb, apk and rpm namespace is the vendor in lower case ("debian", "alpine", "rhel"). */
const vendor = (p: PurlPackage) => p.distroId.toLowerCase() || "unknown";

const distroQualifier = (p: PurlPackage) => (p.distroId ? `${p.distroId.toLowerCase()}-${p.distroVersionId}` : "");

/** PEP 503 normalized: lower case, runs of '-', '_' and '.' become '-'. */
const pypiName = (name: string) => name.toLowerCase().replace(/[-_.]+/g, "-");

/** An rpm version "1:2.3-4" is version "2.3-4" with qualifier epoch=1. */
function rpmVersion(version: string): { version: string; epoch: string } {
  const m = /^(\d+):(.*)$/.exec(version);
  return m ? { epoch: m[1]!, version: m[2]! } : { epoch: "", version };
}

interface PurlParts {
  type: string;
  namespace?: string;
  name: string;
  version: string;
  qualifiers?: Record<string, string>;
}

function parts(p: PurlPackage): PurlParts {
  switch (p.ecosystem) {
    case "dpkg":
      return {
        type: "deb",
        namespace: vendor(p),
        name: p.name,
        version: p.version,
        qualifiers: { arch: p.arch, distro: distroQualifier(p), upstream: p.sourceName && p.sourceName !== p.name ? p.sourceName : "" },
      };
    case "apk":
      return { type: "apk", namespace: vendor(p), name: p.name, version: p.version, qualifiers: { arch: p.arch, distro: distroQualifier(p) } };
    case "rpm": {
      const { version, epoch } = rpmVersion(p.version);
      return {
        type: "rpm",
        namespace: vendor(p),
        name: p.name,
        version,
        qualifiers: { arch: p.arch, epoch, distro: distroQualifier(p), upstream: p.sourceName ? `${p.sourceName}-${p.sourceVersion}.src.rpm` : "" },
      };
    }
    case "pypi":
      return { type: "pypi", name: pypiName(p.name), version: p.version };
    case "npm": {
      // "@scope/name": the scope is the namespace.
      const m = /^(@[^/]+)\/(.+)$/.exec(p.name);
      return m ? { type: "npm", namespace: m[1]!, name: m[2]!, version: p.version } : { type: "npm", name: p.name, version: p.version };
    }
    case "go": {
      // "github.com/a/b": namespace "github.com/a", name "b"; the toolchain is "stdlib".
      const slash = p.name.lastIndexOf("/");
      return slash < 0
        ? { type: "golang", name: p.name, version: p.version }
        : { type: "golang", namespace: p.name.slice(0, slash), name: p.name.slice(slash + 1), version: p.version };
    }
    case "maven": {
      // The Java detector names artifacts "groupId:artifactId" when the archive says its group.
      const colon = p.name.indexOf(":");
      return colon < 0
        ? { type: "maven", name: p.name, version: p.version }
        : { type: "maven", namespace: p.name.slice(0, colon), name: p.name.slice(colon + 1), version: p.version };
    }
    case "gem":
      return { type: "gem", name: p.name, version: p.version };
    default:
      return { type: "generic", name: p.name, version: p.version };
  }
}

/** The purl of a found package: `pkg:type/namespace/name@version?qualifiers` (qualifiers sorted, empty ones left out). */
export function packageUrl(p: PurlPackage): string {
  const { type, namespace, name, version, qualifiers = {} } = parts(p);
  const path = namespace ? `${encodePath(namespace)}/${encode(name)}` : encode(name);
  const query = Object.entries(qualifiers)
    .filter(([, value]) => value !== "")
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([key, value]) => `${key}=${encode(value)}`)
    .join("&");
  return `pkg:${type}/${path}${version ? `@${encode(version)}` : ""}${query ? `?${query}` : ""}`;
}

/** The purl of an image in a registry (the purl spec's oci type): digest as version, where it lives as repository_url. */
export function imageUrl(repository: string, digest: string): string {
  const name = repository.slice(repository.lastIndexOf("/") + 1).toLowerCase();
  return `pkg:oci/${encode(name)}@${encode(digest)}?repository_url=${encodePath(repository.toLowerCase())}`;
}
