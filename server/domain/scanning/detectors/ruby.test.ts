import { describe, expect, it } from "vitest";
import { rubyDetector } from "./ruby.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

describe("Ruby detector", () => {
  it("wants installed and default gem specifications only", () => {
    expect(rubyDetector.wants("usr/local/bundle/specifications/rake-13.0.6.gemspec")).toBe(true);
    expect(rubyDetector.wants("usr/lib/ruby/gems/3.1.0/specifications/default/json-2.6.1.gemspec")).toBe(true);
    expect(rubyDetector.wants("usr/local/bundle/gems/rake-13.0.6/rake.gemspec")).toBe(false);
    expect(rubyDetector.wants("usr/local/bundle/specifications/rake-13.0.6.gemspec.bak")).toBe(false);
  });

  it("reads the name and version RubyGems generated", () => {
    const spec = [
      "# -*- encoding: utf-8 -*-",
      "# stub: nokogiri 1.13.10 x86_64-linux lib",
      "",
      "Gem::Specification.new do |s|",
      '  s.name = "nokogiri".freeze',
      '  s.version = "1.13.10"',
      '  s.platform = "x86_64-linux".freeze',
      '  s.add_runtime_dependency(%q<racc>.freeze, ["~> 1.4"])',
      "end",
    ].join("\n");
    const path = "usr/local/bundle/specifications/nokogiri-1.13.10-x86_64-linux.gemspec";
    expect(rubyDetector.detect(path, bytes(spec))).toEqual([{ name: "nokogiri", version: "1.13.10", ecosystem: "gem", path }]);
  });

  it("reads older %q{} literals, other block variables and Gem::Version, and falls back to the stub line", () => {
    const old = "Gem::Specification.new do |spec|\n  spec.name = %q{rack}\n  spec.version = Gem::Version.new('2.2.4')\nend\n";
    expect(rubyDetector.detect("specifications/rack-2.2.4.gemspec", bytes(old))).toMatchObject([{ name: "rack", version: "2.2.4" }]);
    const stubOnly = "# stub: bigdecimal 3.1.1 ruby lib\nGem::Specification.new do |s|\n  s.name = name_from_elsewhere\nend\n";
    expect(rubyDetector.detect("specifications/default/bigdecimal-3.1.1.gemspec", bytes(stubOnly))).toMatchObject([
      { name: "bigdecimal", version: "3.1.1" },
    ]);
    expect(rubyDetector.detect("specifications/odd.gemspec", bytes("# nothing here\n"))).toEqual([]);
  });
});
