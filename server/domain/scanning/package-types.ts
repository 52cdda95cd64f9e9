// What the scanner finds in an image: installed packages, each with the ecosystem whose version
// ordering and advisories apply, and the detectors that read them from a layer's files.

/** The version orderings a package may follow (each has its own comparison in versions/). */
export type Ecosystem = "dpkg" | "apk" | "rpm" | "pypi" | "npm" | "go" | "maven" | "gem";

export interface FoundPackage {
  name: string;
  version: string;
  ecosystem: Ecosystem;
  /** The source package it was built from, when the database says (dpkg Source:, rpm SOURCERPM, apk origin). */
  sourceName?: string;
  sourceVersion?: string;
  /** The architecture the database records (dpkg Architecture:, apk A:, rpm ARCH), for SBOM purls. */
  arch?: string;
  /** The file it was read from, inside the image. */
  path: string;
}

/** The distribution an image is built on, from os-release (`ID`, `VERSION_ID`, `VERSION_CODENAME`). */
export interface Distribution {
  id: string;
  versionId: string;
  versionCodename?: string;
  prettyName?: string;
}

/**
 * Reads packages out of the files it asks for. The layer reader offers each regular file's path
 * (without a leading slash, e.g. `var/lib/dpkg/status`) to `wants`, with the tar entry's
 * permission bits when it has them (detectors of executables need them); a wanted file is read
 * whole (at most `maxBytes`, larger ones are skipped) and handed to `detect`, unless the detector
 * reads files as they stream past (`stream`).
 */
export interface PackageDetector {
  name: string;
  wants(path: string, mode?: number): boolean;
  maxBytes: number;
  /** `problem` notes what was passed over inside the file (an archive too large to open), for the scan to say so. */
  detect(path: string, content: Uint8Array, problem?: (message: string) => void): FoundPackage[] | Promise<FoundPackage[]>;
  /**
   * For files of any size (executables): the reader hands the file over chunk by chunk instead
   * of reading it whole, and the detector keeps only what it needs; `maxBytes` does not apply.
   */
  stream?(path: string): StreamScan;
}

/** A file given to a detector as it streams past: its chunks in order, then `end` for the packages. */
export interface StreamScan {
  write(chunk: Uint8Array): void;
  end(): FoundPackage[];
}
