// Where the project's own files are (migrations, static assets, packages' browser files).
// From source this module is <root>/server/paths.ts; in the start-up bundle that `npm start`
// builds it is inlined into <root>/.build/server.mjs. Both sit one level below the root. The
// compiled binary unpacks the same tree into the data directory and points here at it
// (server/bundled-files.ts), so paths are resolved when asked for, not when modules load.
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

let projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** From now on, project files are looked up under `dir` (a tree laid out like the project). */
export function useProjectRoot(dir: string): void {
  projectRoot = dir;
}

export const projectPath = (...parts: string[]) => resolve(projectRoot, ...parts);
