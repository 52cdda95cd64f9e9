import { describe, expect, it } from "vitest";
import { apkDetector, parseApkInstalled } from "./apk.ts";

const INSTALLED = `C:Q1Ia7dF1v8zFbbyBUVHvBG8VJwIGI=
P:musl
V:1.2.4_git20230717-r4
A:x86_64
S:407798
I:667648
T:the musl c library (libc) implementation
o:musl
m:Timo Teräs <timo.teras@iki.fi>
F:lib
R:ld-musl-x86_64.so.1
Z:Q1fdsTIMxYgCb0/cDBJEmJA2Rk8gE=

C:Q1WJnTgqhXeS2v3o4bw1ycQ3+D9Ws=
P:libcrypto3
V:3.1.4-r5
A:x86_64
o:openssl
F:usr/lib
R:libcrypto.so.3

C:Q1xyz
P:alpine-baselayout-data
V:3.4.3-r2
A:x86_64
`;

describe("apk installed database", () => {
  it("lists packages with their origin", () => {
    const path = "lib/apk/db/installed";
    expect(parseApkInstalled(INSTALLED, path)).toEqual([
      { name: "musl", version: "1.2.4_git20230717-r4", ecosystem: "apk", arch: "x86_64", sourceName: "musl", sourceVersion: "1.2.4_git20230717-r4", path },
      { name: "libcrypto3", version: "3.1.4-r5", ecosystem: "apk", arch: "x86_64", sourceName: "openssl", sourceVersion: "3.1.4-r5", path },
      { name: "alpine-baselayout-data", version: "3.4.3-r2", ecosystem: "apk", arch: "x86_64", path },
    ]);
    expect(apkDetector.wants(path)).toBe(true);
    expect(apkDetector.wants("lib/apk/db/triggers")).toBe(false);
  });
});
