import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["**/*.test.ts"],
    exclude: ["**/node_modules/**", "**/*.int.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Worker-backed tests start real Python processes; two cores do not gain from more parallelism.
    fileParallelism: false,
    // Tests marked concurrent (the kill-point runs) go two at a time, one a core.
    maxConcurrency: 2,
  },
});
