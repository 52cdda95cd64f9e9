import { describe, expect, it } from "vitest";
import { detectDistribution, parseShellAssignments } from "./os-release.ts";

const from = (files: Record<string, string>) => detectDistribution((path) => files[path]);

describe("distribution detection", () => {
  it("reads os-release, etc/ before usr/lib/", () => {
    const debian = `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\nID=debian\n`;
    expect(from({ "usr/lib/os-release": debian })).toEqual({ id: "debian", versionId: "12", versionCodename: "bookworm", prettyName: "Debian GNU/Linux 12 (bookworm)" });
    expect(from({ "etc/os-release": "ID=alpine\nVERSION_ID=3.19.1\n", "usr/lib/os-release": debian })).toEqual({ id: "alpine", versionId: "3.19.1" });
  });

  it("falls back to the older release files", () => {
    expect(from({ "etc/lsb-release": "DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=22.04\nDISTRIB_CODENAME=jammy\n" })).toEqual({ id: "ubuntu", versionId: "22.04", versionCodename: "jammy" });
    expect(from({ "etc/alpine-release": "3.18.4\n" })).toEqual({ id: "alpine", versionId: "3.18.4" });
    expect(from({ "etc/debian_version": "11.9\n" })).toEqual({ id: "debian", versionId: "11" });
    expect(from({ "etc/debian_version": "trixie/sid\n" })).toEqual({ id: "debian", versionId: "", versionCodename: "trixie" });
    expect(from({ "etc/redhat-release": "Red Hat Enterprise Linux release 8.9 (Ootpa)\n" })).toMatchObject({ id: "rhel", versionId: "8.9" });
    expect(from({ "etc/system-release": "Amazon Linux release 2 (Karoo)\n", "etc/redhat-release": "nonsense" })).toMatchObject({ id: "amzn", versionId: "2" });
    expect(from({ "etc/centos-release": "CentOS Linux release 7.9.2009 (Core)\n" })).toMatchObject({ id: "centos", versionId: "7" });
    expect(from({})).toBeNull();
  });

  it("parses shell-style quoting", () => {
    const values = parseShellAssignments(`# comment\nA="x \\"y\\""\nB='single'\nC=plain\n`);
    expect(Object.fromEntries(values)).toEqual({ A: 'x "y"', B: "single", C: "plain" });
  });
});
