// Node packages: each installed package's own package.json directly under a node_modules
// directory (`node_modules/<name>/` or `node_modules/@scope/<name>/`; files deeper inside a
// package are its own business), and the lockfiles an application ships.
import type { PackageDetector } from "../package-types.ts";
import { packageLockPackages, yarnLockPackages } from "./node-lockfiles.ts";

const INSTALLED_MANIFEST = /(?:^|\/)node_modules\/(?:@[^/]+\/)?[^/.@][^/]*\/package\.json$/;
/** Lockfiles of the application, not ones a package happened to publish inside node_modules. */
const LOCKFILE = /^(?!(?:.*\/)?node_modules\/)(?:.*\/)?(package-lock\.json|npm-shrinkwrap\.json|yarn\.lock)$/;

export const nodeDetector: PackageDetector = {
  name: "node",
  maxBytes: 32 * 1024 * 1024,
  wants: (path) => INSTALLED_MANIFEST.test(path) || LOCKFILE.test(path),
  detect(path, content) {
    const text = new TextDecoder().decode(content);
    const file = path.slice(path.lastIndexOf("/") + 1);
    try {
      if (file === "yarn.lock") return yarnLockPackages(path, text);
      if (file !== "package.json") return packageLockPackages(path, text);
      const manifest: unknown = JSON.parse(text);
      if (typeof manifest !== "object" || manifest === null) return [];
      const { name, version } = manifest as { name?: unknown; version?: unknown };
      if (typeof name !== "string" || typeof version !== "string" || !name || !version) return [];
      return [{ name, version, ecosystem: "npm", path }];
    } catch (error) {
      // A file that is not JSON (a template, a truncated copy) holds no packages.
      if (error instanceof SyntaxError) return [];
      throw error;
    }
  },
};
