import { describe, expect, it } from "vitest";
import { dpkgDetector, parseDpkgStatus } from "./dpkg.ts";

const STATUS = `Package: libssl3
Status: install ok installed
Priority: optional
Architecture: amd64
Multi-Arch: same
Source: openssl
Version: 3.0.11-1~deb12u2
Description: Secure Sockets Layer toolkit - shared libraries
 This package is part of the OpenSSL project's implementation of the SSL and TLS
 .
 Package: not-a-package
 Version: 0

Package: removed-one
Status: deinstall ok config-files
Architecture: amd64
Version: 1.0-1

Package: libc-bin
Status: install ok installed
Architecture: amd64
Source: glibc (2.36-9+deb12u4)
Version: 2.36-9+deb12u7

Package: tzdata
Status: install ok installed
Architecture: all
Version: 2024a-0+deb12u1
`;

describe("dpkg status", () => {
  it("lists installed packages with their source package and architecture", () => {
    expect(parseDpkgStatus(STATUS, "var/lib/dpkg/status")).toEqual([
      { name: "libssl3", version: "3.0.11-1~deb12u2", ecosystem: "dpkg", arch: "amd64", sourceName: "openssl", sourceVersion: "3.0.11-1~deb12u2", path: "var/lib/dpkg/status" },
      { name: "libc-bin", version: "2.36-9+deb12u7", ecosystem: "dpkg", arch: "amd64", sourceName: "glibc", sourceVersion: "2.36-9+deb12u4", path: "var/lib/dpkg/status" },
      { name: "tzdata", version: "2024a-0+deb12u1", ecosystem: "dpkg", arch: "all", path: "var/lib/dpkg/status" },
    ]);
  });

  it("reads distroless status.d files, which have no Status field, and skips their md5sums", () => {
    const file = new TextEncoder().encode("Package: base-files\nVersion: 12.4+deb12u5\nArchitecture: amd64\n");
    expect(dpkgDetector.detect("var/lib/dpkg/status.d/base-files", file)).toEqual([
      { name: "base-files", version: "12.4+deb12u5", ecosystem: "dpkg", arch: "amd64", path: "var/lib/dpkg/status.d/base-files" },
    ]);
    expect(dpkgDetector.wants("var/lib/dpkg/status")).toBe(true);
    expect(dpkgDetector.wants("var/lib/dpkg/status.d/base-files")).toBe(true);
    expect(dpkgDetector.wants("var/lib/dpkg/status.d/base-files.md5sums")).toBe(false);
    expect(dpkgDetector.wants("var/lib/dpkg/status-old")).toBe(false);
  });
});
