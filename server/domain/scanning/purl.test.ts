import { describe, expect, it } from "vitest";
import { imageUrl, packageUrl, type PurlPackage } from "./purl.ts";

const pkg = (p: Partial<PurlPackage> & Pick<PurlPackage, "ecosystem" | "name" | "version">): PurlPackage => ({
  arch: "",
  sourceName: "",
  sourceVersion: "",
  distroId: "",
  distroVersionId: "",
  ...p,
});

describe("packageUrl", () => {
  it.each([
    [pkg({ ecosystem: "dpkg", name: "libssl3", version: "3.0.11-1~deb12u2", arch: "amd64", sourceName: "openssl", distroId: "debian", distroVersionId: "12" }),
      "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl"],
    [pkg({ ecosystem: "dpkg", name: "bash", version: "5.2.15-2+b2", arch: "arm64", sourceName: "bash", distroId: "debian", distroVersionId: "12" }),
      "pkg:deb/debian/bash@5.2.15-2%2Bb2?arch=arm64&distro=debian-12"],
    [pkg({ ecosystem: "dpkg", name: "tzdata", version: "1:2024a-0ubuntu1", distroId: "ubuntu", distroVersionId: "22.04" }),
      "pkg:deb/ubuntu/tzdata@1:2024a-0ubuntu1?distro=ubuntu-22.04"],
    [pkg({ ecosystem: "apk", name: "musl", version: "1.2.4-r2", arch: "x86_64", distroId: "alpine", distroVersionId: "3.19.1" }),
      "pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&distro=alpine-3.19.1"],
    [pkg({ ecosystem: "rpm", name: "openssl-libs", version: "1:3.0.7-25.el9_3", arch: "x86_64", sourceName: "openssl", sourceVersion: "3.0.7-25.el9_3", distroId: "rhel", distroVersionId: "9.3" }),
      "pkg:rpm/rhel/openssl-libs@3.0.7-25.el9_3?arch=x86_64&distro=rhel-9.3&epoch=1&upstream=openssl-3.0.7-25.el9_3.src.rpm"],
    [pkg({ ecosystem: "pypi", name: "Flask_SQLAlchemy", version: "3.1.1" }), "pkg:pypi/flask-sqlalchemy@3.1.1"],
    [pkg({ ecosystem: "npm", name: "@babel/core", version: "7.24.0" }), "pkg:npm/%40babel/core@7.24.0"],
    [pkg({ ecosystem: "npm", name: "lodash", version: "4.17.21" }), "pkg:npm/lodash@4.17.21"],
    [pkg({ ecosystem: "go", name: "github.com/sirupsen/logrus", version: "v1.9.3" }), "pkg:golang/github.com/sirupsen/logrus@v1.9.3"],
    [pkg({ ecosystem: "go", name: "stdlib", version: "go1.21.5" }), "pkg:golang/stdlib@go1.21.5"],
    [pkg({ ecosystem: "maven", name: "org.apache.logging.log4j:log4j-core", version: "2.14.1" }), "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"],
    [pkg({ ecosystem: "maven", name: "some-bundle", version: "1.0" }), "pkg:maven/some-bundle@1.0"],
    [pkg({ ecosystem: "gem", name: "rack", version: "2.2.8" }), "pkg:gem/rack@2.2.8"],
  ])("%j → %s", (p, expected) => {
    expect(packageUrl(p)).toBe(expected);
  });
});

describe("imageUrl", () => {
  it("names the image by its digest and says where it lives", () => {
    expect(imageUrl("registry.test:5000/Alice/app", "sha256:abc")).toBe("pkg:oci/app@sha256:abc?repository_url=registry.test:5000/alice/app");
  });
});
