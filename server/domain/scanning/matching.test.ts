// Which advisories hold for one stored package: same distribution release only (by version id,
// major.minor or codename), language advisories everywhere, a tracker's source-package advisory
// compared with the source version, and the fix from the range.
import { expect, it } from "vitest";
import { packageMatches } from "./matching.ts";

const pkg = (over: Partial<Parameters<typeof packageMatches>[0]> = {}): Parameters<typeof packageMatches>[0] => ({
  id: 1,
  ecosystem: "dpkg",
  name: "libssl3",
  version: "3.0.11-1~deb12u2+b1",
  sourceName: "openssl",
  sourceVersion: "3.0.11-1~deb12u2",
  arch: "amd64",
  distroId: "debian",
  distroVersionId: "12",
  distroCodename: "bookworm",
  ...over,
});

const advisory = (id: number, over: Partial<Parameters<typeof packageMatches>[1][number]> = {}) => ({
  id,
  ecosystem: "dpkg",
  packageName: "openssl",
  distroId: "debian",
  distroRelease: "bookworm",
  ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed: "3.0.11-1~deb12u2+b1" }] }],
  versions: [],
  ...over,
});

it("compares a source-package advisory with the source version, a binary one with the binary version", () => {
  // The fix names the binNMU's version: the source version 3.0.11-1~deb12u2 is below it.
  expect(packageMatches(pkg(), [advisory(1)])).toEqual(new Map([[1, "3.0.11-1~deb12u2+b1"]]));
  // Named by the binary package: its own version is the fixed one.
  expect(packageMatches(pkg(), [advisory(2, { packageName: "libssl3" })])).toEqual(new Map());
});

it("takes only advisories of the package's distribution release", () => {
  const candidates = [
    advisory(1, { distroRelease: "12" }),
    advisory(2, { distroRelease: "bullseye" }),
    advisory(3, { distroId: "ubuntu", distroRelease: "22.04" }),
  ];
  expect([...packageMatches(pkg(), candidates).keys()]).toEqual([1]);
  expect([...packageMatches(pkg({ distroId: "" }), candidates).keys()]).toEqual([]);
});

it("applies language advisories whatever the distribution, with exact listed versions and no fix", () => {
  const npm = pkg({ ecosystem: "npm", name: "left-pad", version: "1.1.0", sourceName: "", sourceVersion: "", distroId: "" });
  const listed = advisory(4, { ecosystem: "npm", packageName: "left-pad", distroId: "", distroRelease: "", ranges: [], versions: ["1.1.0"] });
  const open = advisory(5, { ecosystem: "npm", packageName: "left-pad", distroId: "", distroRelease: "", ranges: [{ type: "SEMVER", events: [{ introduced: "1.0.0" }] }] });
  expect(packageMatches(npm, [listed, open, listed])).toEqual(new Map([[4, ""], [5, ""]]));
  expect(packageMatches({ ...npm, version: "0.9.0" }, [listed, open])).toEqual(new Map());
});
