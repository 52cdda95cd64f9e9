import { describe, expect, it } from "vitest";
import { pythonDetector } from "./python.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

describe("Python detector", () => {
  it("wants dist-info METADATA, egg-info PKG-INFO (directory or single file) and eggs' EGG-INFO", () => {
    for (const path of [
      "usr/lib/python3/dist-packages/requests-2.28.1.dist-info/METADATA",
      "usr/local/lib/python3.11/site-packages/PyYAML-6.0.egg-info/PKG-INFO",
      "usr/lib/python3.9/site-packages/six-1.16.0-py3.9.egg-info",
      "opt/venv/lib/python3.8/site-packages/foo-1.0-py3.8.egg/EGG-INFO/PKG-INFO",
    ]) {
      expect(pythonDetector.wants(path), path).toBe(true);
    }
    for (const path of ["usr/lib/python3/dist-packages/requests-2.28.1.dist-info/RECORD", "usr/share/doc/METADATA", "srv/app/setup.py"]) {
      expect(pythonDetector.wants(path), path).toBe(false);
    }
  });

  it("reads Name and Version from the header block, not from the description after it", () => {
    const metadata = [
      "Metadata-Version: 2.1",
      "Name: PyYAML",
      "Version: 6.0.1",
      "Summary: YAML parser and emitter for Python",
      "License: MIT",
      "        with a folded second line",
      "Classifier: Programming Language :: Python",
      "",
      "Name: not-this",
      "Version: 0.0",
    ].join("\r\n");
    const path = "usr/local/lib/python3.11/site-packages/PyYAML-6.0.1.dist-info/METADATA";
    expect(pythonDetector.detect(path, bytes(metadata))).toEqual([{ name: "PyYAML", version: "6.0.1", ecosystem: "pypi", path }]);
  });

  it("gives nothing when Name or Version is missing", () => {
    expect(pythonDetector.detect("x.egg-info", bytes("Metadata-Version: 1.0\nName: half\n"))).toEqual([]);
    expect(pythonDetector.detect("x.egg-info", bytes(""))).toEqual([]);
  });
});
