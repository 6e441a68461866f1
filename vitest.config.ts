import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["**/*.test.ts"],
    // *.slow.test.ts: end-to-end runs of the LLM teacher, the generation student and the quick
    // adaptation benchmark (about 25 minutes on 2 cores), run by `npm run test:slow`; `npm test` (and
    // CI) runs the rest within its budget.
    exclude: ["**/node_modules/**", "**/*.int.test.ts", ...(process.env.PIONEER_SLOW_TESTS ? [] : ["**/*.slow.test.ts"])],
    // Many tests run a real fine-tune or a whole maintenance round: 60-100 s on an idle 2-core
    // machine, nearer 2 minutes on a loaded one; the limit is for hangs, not for speed.
    testTimeout: 300_000,
    hookTimeout: 300_000,
    // Worker-backed tests start real Python processes; two cores do not gain from more parallelism.
    fileParallelism: false,
    // Tests marked concurrent (the kill-point runs) go two at a time, one a core.
    maxConcurrency: 2,
  },
});
