import { access, mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { listScenarios, parseMethods, runBenchmark } from "./adaptation.ts";
import type { ResultRow } from "./adaptation/run-scenario.ts";

/** `npm run bench -- --quick --scenario snips`: the whole benchmark on tiny slices with one epoch,
 * every method, the real worker. Checks the shape and sanity of the results, not their values. */
describe("adaptation benchmark --quick (real worker)", () => {
  let rows: ResultRow[];
  let resultsDir: string;

  beforeAll(async () => {
    const scenarios = (await listScenarios()).filter((s) => s.name === "snips");
    resultsDir = await mkdtemp(join(tmpdir(), "adaptation-results-"));
    const previousKey = process.env.OPENAI_API_KEY;
    delete process.env.OPENAI_API_KEY;
    try {
      rows = await runBenchmark({ scenarios, methods: parseMethods("a,b,c,d,e"), quick: true, workDir: await mkdtemp(join(tmpdir(), "adaptation-work-")), resultsDir });
    } finally {
      if (previousKey !== undefined) process.env.OPENAI_API_KEY = previousKey;
    }
  }, 900_000);

  const of = (method: string) => rows.filter((r) => r.method === method);

  it("has a start row and three stage rows per method, all from the same start", () => {
    expect(rows.map((r) => `${r.method}:${r.stage}`).sort()).toEqual(
      ["cl_filter", "naive", "none", "pioneer", "pioneer_llm"].flatMap((m) => [0, 1, 2, 3].map((s) => `${m}:${s}`)).sort(),
    );
    const start = of("none")[0]!.metric;
    for (const r of rows) {
      if (r.stage === 0) expect(r.metric).toBe(start);
      expect(r.metric).toBeGreaterThanOrEqual(0);
      expect(r.metric).toBeLessThanOrEqual(1);
      expect(r.change).toBeCloseTo(r.metric - start, 10);
      expect(r.poison_rate).toBe([0, 0.15, 0.25, 0.4][r.stage]);
    }
  });

  it("keeps the model without retraining, retrains naive and filtered methods once a stage", () => {
    expect(of("none").slice(1).map((r) => [r.metric, r.retrains, r.flips])).toEqual([1, 2, 3].map(() => [of("none")[0]!.metric, 0, 0]));
    expect(of("naive").slice(1).map((r) => r.retrains)).toEqual([1, 1, 1]);
    expect(of("cl_filter").slice(1).every((r) => r.retrains === 1 && /examples dropped/.test(r.notes[0] ?? ""))).toBe(true);
  });

  it("never deploys a Pioneer model beyond the regression budget", () => {
    for (const r of of("pioneer").slice(1)) {
      expect(r.flips).toBeLessThanOrEqual(2);
      expect(r.retrains).toBeGreaterThanOrEqual(1);
      expect(r.notes.join(" ")).toMatch(/round-1: (promoted|kept parent)/);
    }
  });

  it("marks the LLM method skipped when no LLM is configured", () => {
    expect(of("pioneer_llm").slice(1).every((r) => /no LLM endpoint configured/.test(r.skipped ?? ""))).toBe(true);
  });

  it("writes the results table and the charts", async () => {
    const md = await readFile(join(resultsDir, "adaptation-quick.md"), "utf8");
    expect(md).toContain("| snips | pioneer | ");
    expect(md).toMatch(/- snips: Pioneer ends /);
    expect(md).toContain("![snips](adaptation-quick/snips.svg)");
    for (const file of ["snips.svg", "final-change.svg"]) {
      await access(join(resultsDir, "adaptation-quick", file));
      expect(await readFile(join(resultsDir, "adaptation-quick", file), "utf8")).toMatch(/^<svg /);
    }
  });
});
