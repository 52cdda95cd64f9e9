// Where the project's own files are (migrations, static assets, packages' browser files).
// From source this module is <root>/server/paths.ts; in the start-up bundle that `npm start`
// builds it is inlined into <root>/.build/server.mjs. Both sit one level below the root.
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");

export const projectPath = (...parts: string[]) => resolve(projectRoot, ...parts);
