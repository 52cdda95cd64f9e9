import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { packageDetectors } from "./detectors/index.ts";
import { buildElf, framedModinfo, inlineBuildInfo } from "./fixtures/build-elf.ts";
import { gzip, type LayerEntry, streamOf, tar, zstdStored } from "./fixtures/build-layer.ts";
import { buildZip } from "./fixtures/build-zip.ts";
import { combineLayers } from "./layers/combine.ts";
import { type LayerContents, type LayerInput, readLayer } from "./layers/read-layer.ts";
import type { PackageDetector } from "./package-types.ts";

/** A manifest's layers, base first, each read in one pass, then stacked: what indexing does per image. */
async function scanImage(layers: LayerInput[], detectors: PackageDetector[]) {
  const contents: LayerContents[] = [];
  for (const layer of layers) contents.push(await readLayer(layer, detectors));
  return combineLayers(contents);
}

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`fixtures/${name}`, import.meta.url)));

function layer(digest: string, entries: LayerEntry[], compress: (tar: Uint8Array) => Uint8Array = gzip) {
  return { digest, bytes: streamOf(compress(tar(entries)), 211) };
}

function dpkgStatus(...packages: [name: string, version: string][]): string {
  return packages.map(([name, version]) => `Package: ${name}\nStatus: install ok installed\nVersion: ${version}\n`).join("\n");
}

const DEBIAN_OS_RELEASE = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n';
const STATUS = "var/lib/dpkg/status";
const summary = (packages: { name: string; version: string; layerIndex: number; layerDigest: string }[]) =>
  packages.map(({ name, version, layerIndex, layerDigest }) => `${name} ${version} @${layerIndex} ${layerDigest}`);

describe("scanning an image's layers", () => {
  it("keeps the layer a package first came in when a later layer rewrites the database, and gives upgrades and new packages the later layer", async () => {
    const scan = await scanImage(
      [
        layer("sha256:base", [
          { path: "etc/os-release", type: "symlink", linkTarget: "../usr/lib/os-release" },
          { path: "usr/lib/os-release", content: DEBIAN_OS_RELEASE },
          { path: STATUS, content: dpkgStatus(["libc6", "2.36-9"], ["openssl", "3.0.11-1"]) },
          { path: "usr/bin/big-unwanted", content: new Uint8Array(300_000) },
        ]),
        layer("sha256:apt-install", [{ path: STATUS, content: dpkgStatus(["libc6", "2.36-9"], ["openssl", "3.0.13-1"], ["curl", "7.88.1-10"]) }], zstdStored),
        layer("sha256:app", [{ path: "app/main.txt", content: "hello" }], (bytes) => bytes),
      ],
      packageDetectors,
    );
    expect(scan.distribution).toEqual({ id: "debian", versionId: "12", versionCodename: "bookworm", prettyName: "Debian GNU/Linux 12 (bookworm)" });
    expect(summary(scan.packages)).toEqual(["libc6 2.36-9 @0 sha256:base", "curl 7.88.1-10 @1 sha256:apt-install", "openssl 3.0.13-1 @1 sha256:apt-install"]);
    expect(scan.problems).toEqual([]);
  });

  it("applies whiteouts and opaque directories of later layers to the files below", async () => {
    const statusD = (name: string) => ({ path: `var/lib/dpkg/status.d/${name}`, content: dpkgStatus([name, "1.0"]) });
    const scan = await scanImage(
      [
        layer("sha256:l0", [statusD("base-files"), statusD("netbase"), statusD("tzdata")]),
        layer("sha256:l1", [{ path: "var/lib/dpkg/status.d/.wh.netbase", content: "" }, statusD("libssl3")]),
        layer("sha256:l2", [{ path: "var/lib/dpkg/status.d/.wh..wh..opq", content: "" }, statusD("tzdata"), statusD("ca-certificates")]),
        layer("sha256:l3", [statusD("netbase")]),
      ],
      packageDetectors,
    );
    // base-files and l1's libssl3 are hidden by the opaque directory; tzdata, put back by the same
    // layer, was never missing from the image, so it stays l0's like a rewritten status file's.
    expect(summary(scan.packages)).toEqual(["tzdata 1.0 @0 sha256:l0", "ca-certificates 1.0 @2 sha256:l2", "netbase 1.0 @3 sha256:l3"]);
  });

  it("hides everything below an opaque root", () => {
    const file = (path: string, name: string) => ({ path, packages: [{ name, version: "1", ecosystem: "npm" as const, path }] });
    const combined = combineLayers([
      { digest: "sha256:l0", files: [file("a/node_modules/x/package.json", "x")], removed: [], opaque: [] },
      { digest: "sha256:l1", files: [file("b/node_modules/y/package.json", "y")], removed: [], opaque: [""] },
    ]);
    expect(summary(combined.packages)).toEqual(["y 1 @1 sha256:l1"]);
  });

  it("removes a whole directory whited out, and a package removed then installed again belongs to the layer that reinstalled it", async () => {
    const scan = await scanImage(
      [
        layer("sha256:l0", [{ path: STATUS, content: dpkgStatus(["bash", "5.2-1"]) }, { path: "etc/debian_version", content: "12.5\n" }]),
        layer("sha256:l1", [{ path: "var/lib/.wh.dpkg", content: "" }]),
        layer("sha256:l2", [{ path: STATUS, content: dpkgStatus(["bash", "5.2-1"]) }]),
      ],
      packageDetectors,
    );
    expect(summary(scan.packages)).toEqual(["bash 5.2-1 @2 sha256:l2"]);
    expect(scan.distribution).toEqual({ id: "debian", versionId: "12" });
  });

  it("reads a zstd layer written by the zstd tool (Alpine) and an rpm database (RHEL)", async () => {
    const alpine = await scanImage([{ digest: "sha256:alpine", bytes: streamOf(fixture("alpine-layer.tar.zst"), 64) }], packageDetectors);
    expect(alpine.distribution).toMatchObject({ id: "alpine", versionId: "3.19.1" });
    expect(alpine.packages.map((pkg) => `${pkg.name} ${pkg.version} ${pkg.sourceName}`)).toEqual([
      "busybox 1.36.1-r15 busybox",
      "libcrypto3 3.1.4-r5 openssl",
      "libssl3 3.1.4-r5 openssl",
      "musl 1.2.4_git20230717-r4 musl",
      "zlib 1.3.1-r0 zlib",
    ]);

    const rhel = await scanImage(
      [
        layer("sha256:ubi", [
          { path: "etc/redhat-release", content: "Red Hat Enterprise Linux release 9.3 (Plow)\n" },
          { path: "usr/lib/sysimage/rpm/rpmdb.sqlite", content: fixture("rpmdb.sqlite") },
        ]),
      ],
      packageDetectors,
    );
    expect(rhel.distribution).toMatchObject({ id: "rhel", versionId: "9.3" });
    expect(rhel.packages).toHaveLength(43);
    expect(rhel.packages.find((pkg) => pkg.name === "openssl-libs")).toMatchObject({ version: "1:3.0.7-25.el9_3", layerIndex: 0, layerDigest: "sha256:ubi" });
  });

  it("runs the language detectors over the same pass", async () => {
    const scan = await scanImage(
      [
        layer("sha256:os", [{ path: "etc/alpine-release", content: "3.19.1\n" }]),
        layer("sha256:pip", [{ path: "usr/lib/python3.11/site-packages/requests-2.31.0.dist-info/METADATA", content: "Metadata-Version: 2.1\nName: requests\nVersion: 2.31.0\n" }]),
        layer("sha256:npm", [{ path: "app/node_modules/lodash/package.json", content: '{"name":"lodash","version":"4.17.21"}' }]),
      ],
      packageDetectors,
    );
    expect(scan.packages.map((pkg) => `${pkg.ecosystem} ${pkg.name} ${pkg.version} @${pkg.layerIndex}`)).toEqual(["pypi requests 2.31.0 @1", "npm lodash 4.17.21 @2"]);
  });

  it("reports files it could not read and goes on with the rest", async () => {
    const tiny: PackageDetector = { name: "tiny", wants: (path) => path.endsWith(".pkg"), maxBytes: 4, detect: () => [] };
    const scan = await scanImage(
      [
        layer("sha256:l0", [
          { path: "var/lib/rpm/rpmdb.sqlite", content: "not a database" },
          { path: "x.pkg", content: "too large" },
          { path: STATUS, content: dpkgStatus(["bash", "5.2-1"]) },
        ]),
      ],
      [...packageDetectors, tiny],
    );
    expect(summary(scan.packages)).toEqual(["bash 5.2-1 @0 sha256:l0"]);
    expect(scan.problems).toEqual([
      { layerDigest: "sha256:l0", path: "var/lib/rpm/rpmdb.sqlite", problem: "rpm: not a SQLite database" },
      { layerDigest: "sha256:l0", path: "x.pkg", problem: "larger than 4 bytes, not read" },
    ]);
  });

  it("gives a hard link to a wanted file the packages of its target", async () => {
    const contents = await readLayer(
      layer("sha256:l0", [
        { path: "var/lib/dpkg/status.d/a", content: dpkgStatus(["a", "1"]) },
        { path: "var/lib/dpkg/status.d/b", type: "hardlink", linkTarget: "var/lib/dpkg/status.d/a" },
      ]),
      packageDetectors,
    );
    expect(combineLayers([contents]).packages.map((pkg) => pkg.path)).toEqual(["var/lib/dpkg/status.d/a", "var/lib/dpkg/status.d/b"]);
  });

  it("hands a file to a detector that streams piece by piece, whatever its size, never whole", async () => {
    const pieces: number[] = [];
    const streaming: PackageDetector = {
      name: "streaming",
      wants: (path) => path === "opt/app/big",
      maxBytes: 0,
      detect: () => {
        throw new Error("read whole");
      },
      stream: (path) => ({
        write: (piece) => pieces.push(piece.byteLength),
        end: () => [{ name: "big", version: String(pieces.reduce((total, size) => total + size, 0)), ecosystem: "go", path }],
      }),
    };
    const contents = await readLayer(layer("sha256:l0", [{ path: "opt/app/big", content: new Uint8Array(300_000).fill(7) }]), [streaming]);
    expect(contents.files).toEqual([{ path: "opt/app/big", packages: [{ name: "big", version: "300000", ecosystem: "go", path: "opt/app/big" }] }]);
    expect(Math.max(...pieces)).toBeLessThan(300_000);
  });

  it("gives a hard link to a Go binary outside bin directories its packages (asked with the link's mode), and lets a directory replacing a wanted file hide it", async () => {
    const modinfo = framedModinfo(["path\texample.com/app", "mod\texample.com/app\tv1.2.3\t"]);
    const server = buildElf(inlineBuildInfo("go1.21.5", modinfo));
    const scan = await scanImage(
      [
        layer("sha256:app", [
          { path: "opt/app/server", content: server, mode: 0o755 },
          { path: "opt/app/server-copy", type: "hardlink", linkTarget: "opt/app/server", mode: 0o755 },
          { path: "usr/local/bin/tool", content: server, mode: 0o755 },
          { path: "opt/app/lib/old.jar", content: buildZip([{ name: "META-INF/maven/org.example/old/pom.properties", data: "version=1\n" }]) },
        ]),
        // Directories have no content a detector reads, so they are asked by path alone (an
        // executable outside bin directories is wanted by its mode, which a directory's says nothing of).
        layer("sha256:replaced", [{ path: "usr/local/bin/tool" }, { path: "opt/app/lib/old.jar" }]),
      ],
      packageDetectors,
    );
    expect(scan.packages.map((pkg) => `${pkg.path} ${pkg.name} ${pkg.version}`)).toEqual([
      "opt/app/server example.com/app v1.2.3",
      "opt/app/server stdlib v1.21.5",
      "opt/app/server-copy example.com/app v1.2.3",
      "opt/app/server-copy stdlib v1.21.5",
    ]);
  });

  it("stops reading a layer's stream at the end of its archive", async () => {
    let pulledPastEnd = false;
    let closed = false;
    async function* bytes() {
      try {
        yield tar([{ path: STATUS, content: dpkgStatus(["bash", "5.2-1"]) }]);
        pulledPastEnd = true;
        yield new Uint8Array(512);
      } finally {
        closed = true;
      }
    }
    const contents = await readLayer({ digest: "sha256:l0", bytes: bytes() }, packageDetectors);
    expect(contents.files.map((file) => file.path)).toEqual([STATUS]);
    expect({ pulledPastEnd, closed }).toEqual({ pulledPastEnd: false, closed: true });
  });
});
