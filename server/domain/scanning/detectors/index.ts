// Every package detector the scanner runs over a layer's files.
import type { PackageDetector } from "../package-types.ts";
import { apkDetector } from "./apk.ts";
import { dpkgDetector } from "./dpkg.ts";
import { goBinaryDetector } from "./go-binary.ts";
import { javaDetector } from "./java.ts";
import { nodeDetector } from "./node.ts";
import { pythonDetector } from "./python.ts";
import { rpmDetector } from "./rpm.ts";
import { rubyDetector } from "./ruby.ts";

export const packageDetectors: PackageDetector[] = [
  dpkgDetector,
  apkDetector,
  rpmDetector,
  pythonDetector,
  nodeDetector,
  goBinaryDetector,
  javaDetector,
  rubyDetector,
];
