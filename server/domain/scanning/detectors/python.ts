// Python packages installed by pip, setuptools or a distribution: each leaves its core metadata
// (Name, Version) in `<name>-<version>.dist-info/METADATA`, `<name>.egg-info/PKG-INFO`, an
// `.egg/EGG-INFO/PKG-INFO`, or an `.egg-info` file holding PKG-INFO itself (old distutils).
// Names are kept as written; PEP 503 normalization belongs to matching.
import type { FoundPackage, PackageDetector } from "../package-types.ts";
import { headerFields } from "./header-fields.ts";

const METADATA_FILE = /(?:^|\/)[^/]+(?:\.dist-info\/METADATA|\.egg-info\/PKG-INFO|\.egg\/EGG-INFO\/PKG-INFO|\.egg-info)$/;

export const pythonDetector: PackageDetector = {
  name: "python",
  maxBytes: 4 * 1024 * 1024,
  wants: (path) => METADATA_FILE.test(path),
  detect(path, content) {
    const fields = headerFields(new TextDecoder().decode(content));
    const name = fields.get("name");
    const version = fields.get("version");
    if (!name || !version) return [];
    const found: FoundPackage = { name, version, ecosystem: "pypi", path };
    return [found];
  },
};
