import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { rpmHeader } from "../fixtures/build-rpm-header.ts";
import { BerkeleyDbError, berkeleyDbHashValues } from "./berkeley-db.ts";
import { RpmHeaderError } from "./rpm-header.ts";
import { packageFromHeader, parseSourceRpm, rpmDetector } from "./rpm.ts";
import { SqliteError, sqliteRows } from "./sqlite-table.ts";

const rpmdb = new Uint8Array(readFileSync(new URL("../fixtures/rpmdb.sqlite", import.meta.url)));
const path = "var/lib/rpm/rpmdb.sqlite";

describe("rpm sqlite database", () => {
  it("reads every package header from a database written by SQLite itself", async () => {
    const found = await rpmDetector.detect(path, rpmdb);
    // 44 rows less the gpg-pubkey one; the b-tree has an interior page and openssl's header spills onto overflow pages.
    expect(found).toHaveLength(43);
    expect(found.slice(0, 3)).toEqual([
      { name: "bash", version: "5.1.8-6.el9", ecosystem: "rpm", arch: "x86_64", sourceName: "bash", sourceVersion: "5.1.8-6.el9", path },
      { name: "openssl-libs", version: "1:3.0.7-25.el9_3", ecosystem: "rpm", arch: "x86_64", sourceName: "openssl", sourceVersion: "3.0.7-25.el9_3", path },
      { name: "tzdata", version: "2024a-1.el9", ecosystem: "rpm", arch: "noarch", sourceName: "tzdata", sourceVersion: "2024a-1.el9", path },
    ]);
    expect(found.at(-1)?.name).toBe("filler-39");
    expect(rpmDetector.wants("usr/lib/sysimage/rpm/rpmdb.sqlite")).toBe(true);
  });

  it("reads the Berkeley DB Packages file of older rpm (written by db_load), skipping the counter under key 0", async () => {
    const bdb = new Uint8Array(readFileSync(new URL("../fixtures/rpm-packages.bdb", import.meta.url)));
    const bdbPath = "var/lib/rpm/Packages";
    expect(rpmDetector.wants(bdbPath)).toBe(true);
    const found = await rpmDetector.detect(bdbPath, bdb);
    // Hash order, not insertion order.
    expect(found.map((pkg) => pkg.name).sort()).toEqual((await rpmDetector.detect(path, rpmdb)).map((pkg) => pkg.name).sort());
    expect(found.find((pkg) => pkg.name === "openssl-libs")).toEqual({
      name: "openssl-libs",
      version: "1:3.0.7-25.el9_3",
      ecosystem: "rpm",
      arch: "x86_64",
      sourceName: "openssl",
      sourceVersion: "3.0.7-25.el9_3",
      path: bdbPath,
    });
    expect([...berkeleyDbHashValues(bdb)].filter((value) => value.length === 4)).toHaveLength(1);
    expect(() => [...berkeleyDbHashValues(rpmdb)]).toThrow(BerkeleyDbError);
  });

  it("reads the other tables' text and integer columns", () => {
    const names = [...sqliteRows(rpmdb, "Name")];
    expect(names[0]).toEqual(["bash", 1, 0]);
    expect(names).toHaveLength(44);
  });

  it("refuses what is not SQLite or lacks the table", () => {
    expect(() => [...sqliteRows(new Uint8Array(4096), "Packages")]).toThrow(SqliteError);
    expect(() => [...sqliteRows(rpmdb, "Nothing")]).toThrow(SqliteError);
  });

  it("reads a header with the file magic, and refuses a truncated one", () => {
    const header = rpmHeader({ name: "zlib", version: "1.2.11", release: "40.el9", epoch: 0 });
    const withMagic = new Uint8Array(header.length + 8);
    withMagic.set([0x8e, 0xad, 0xe8, 0x01]);
    withMagic.set(header, 8);
    expect(packageFromHeader(withMagic, path)).toEqual({ name: "zlib", version: "1.2.11-40.el9", ecosystem: "rpm", path });
    expect(() => packageFromHeader(header.subarray(0, header.length - 10), path)).toThrow(RpmHeaderError);
  });

  it("splits source rpm file names", () => {
    expect(parseSourceRpm("python3.11-3.11.5-1.el9_3.src.rpm")).toEqual({ name: "python3.11", version: "3.11.5-1.el9_3" });
    expect(parseSourceRpm("(none)")).toBeNull();
  });
});
