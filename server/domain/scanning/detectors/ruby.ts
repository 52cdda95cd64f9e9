// Ruby gems: RubyGems writes an installed gem's specification as Ruby source into
// `specifications/<name>-<version>.gemspec` (default gems bundled with Ruby in
// `specifications/default/`). The generated file assigns `name` and `version` as plain string
// literals, and its `# stub:` comment line repeats both; nothing is evaluated.
import type { PackageDetector } from "../package-types.ts";

const GEMSPEC = /(?:^|\/)specifications\/(?:default\/)?[^/]+\.gemspec$/;
/** A string literal: "x", 'x', %q{x} or %q(x), optionally followed by `.freeze`. */
const LITERAL = String.raw`(?:"([^"]*)"|'([^']*)'|%q\{([^}]*)\}|%q\(([^)]*)\))`;
const ASSIGNMENT = (field: string) => new RegExp(String.raw`^\s*\w+\.${field}\s*=\s*(?:Gem::Version\.new\(\s*)?${LITERAL}`, "m");
const NAME = ASSIGNMENT("name");
const VERSION = ASSIGNMENT("version");
const STUB = /^# stub: (\S+) (\S+)/m;

function literal(match: RegExpExecArray | null): string | undefined {
  return match?.slice(1).find((group) => group !== undefined);
}

export const rubyDetector: PackageDetector = {
  name: "ruby",
  maxBytes: 1024 * 1024,
  wants: (path) => GEMSPEC.test(path),
  detect(path, content) {
    const source = new TextDecoder().decode(content);
    const stub = STUB.exec(source);
    const name = literal(NAME.exec(source)) ?? stub?.[1];
    const version = literal(VERSION.exec(source)) ?? stub?.[2];
    if (!name || !version) return [];
    return [{ name, version, ecosystem: "gem", path }];
  },
};
