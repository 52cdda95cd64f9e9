// Test runner configuration for the whole suite: unit tests beside the code, integration
// tests against a real Postgres, real-client and browser tests under e2e/.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  root: fileURLToPath(new URL("..", import.meta.url)),
  test: {
    include: ["server/**/*.test.ts", "views/**/*.test.ts", "db/**/*.test.ts", "jobs/**/*.test.ts", "e2e/**/*.test.ts"],
    exclude: ["node_modules/**", "e2e/bench/**"],
    globalSetup: ["e2e/support/global-setup.ts"],
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ["default"],
  },
});
