// The packages npm and yarn lockfiles pin: package-lock.json / npm-shrinkwrap.json (v1's nested
// `dependencies`, v2/v3's flat `packages` keyed by install path) and yarn.lock (classic v1 and
// Berry's YAML form). Local code (workspaces, links, file: and portal: paths) is not a package
// from the registry and is left out, as are npm's dev-only entries, which a production install omits.
import type { FoundPackage } from "../package-types.ts";

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);
const LOCAL_PROTOCOL = /^(?:workspace|link|portal|file):/;

/** Collects name@version pairs once each. */
class Found {
  private readonly seen = new Map<string, FoundPackage>();
  constructor(private readonly path: string) {}
  add(name: string, version: string): void {
    if (!name || !version || LOCAL_PROTOCOL.test(version)) return;
    const key = `${name}@${version}`;
    if (!this.seen.has(key)) this.seen.set(key, { name, version, ecosystem: "npm", path: this.path });
  }
  list(): FoundPackage[] {
    return [...this.seen.values()];
  }
}

/** `name@range` split at the `@` after a scope; an npm alias (`alias@npm:real@range`) names the real package. */
function splitDescriptor(descriptor: string): { name: string; range: string } {
  const at = descriptor.indexOf("@", 1);
  if (at < 0) return { name: descriptor, range: "" };
  const name = descriptor.slice(0, at);
  const range = descriptor.slice(at + 1);
  if (range.startsWith("npm:") && range.indexOf("@", 5) > 0) return splitDescriptor(range.slice(4));
  return { name, range };
}

export function packageLockPackages(path: string, text: string): FoundPackage[] {
  const lock: unknown = JSON.parse(text);
  if (!isObject(lock)) return [];
  const found = new Found(path);
  if (isObject(lock.packages)) {
    for (const [installPath, entry] of Object.entries(lock.packages)) {
      const at = installPath.lastIndexOf("node_modules/");
      if (at < 0 || !isObject(entry) || entry.link === true || entry.dev === true) continue;
      const name = typeof entry.name === "string" ? entry.name : installPath.slice(at + "node_modules/".length);
      if (typeof entry.version === "string") found.add(name, entry.version);
    }
  } else if (isObject(lock.dependencies)) {
    addV1Dependencies(lock.dependencies, found);
  }
  return found.list();
}

function addV1Dependencies(dependencies: Json, found: Found): void {
  for (const [name, entry] of Object.entries(dependencies)) {
    if (!isObject(entry) || entry.dev === true) continue;
    if (typeof entry.version === "string") {
      // An alias records `npm:real-name@version` as its version.
      const aliased = entry.version.startsWith("npm:") ? splitDescriptor(entry.version.slice(4)) : undefined;
      found.add(aliased?.name ?? name, aliased?.range ?? entry.version);
    }
    if (isObject(entry.dependencies)) addV1Dependencies(entry.dependencies, found);
  }
}

const unquote = (value: string) => value.trim().replace(/^"(.*)"$/, "$1");

/** One entry per unindented key line; its `version` and (Berry) `resolution` fields follow, indented. */
export function yarnLockPackages(path: string, text: string): FoundPackage[] {
  const found = new Found(path);
  let entry: { descriptor: string; version?: string; resolution?: string } | undefined;
  const flush = () => {
    if (!entry?.version) return;
    const { name, range } = splitDescriptor(entry.resolution ?? entry.descriptor);
    if (!LOCAL_PROTOCOL.test(range)) found.add(name, entry.version);
  };
  for (const line of text.split(/\r?\n/)) {
    if (line === "" || line.startsWith("#")) continue;
    if (!line.startsWith(" ")) {
      flush();
      const descriptor = unquote(line.replace(/:$/, "").split(",")[0]!);
      entry = descriptor === "__metadata" ? undefined : { descriptor };
      continue;
    }
    const field = /^ {2}(version|resolution):? +(.+)$/.exec(line);
    if (entry && field) entry[field[1] as "version" | "resolution"] = unquote(field[2]!);
  }
  flush();
  return found.list();
}
