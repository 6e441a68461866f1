import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ClassificationExample, TokenExample } from "../../data/index.ts";
import { listScenarios } from "../adaptation.ts";
import { buildStages } from "./build-stages.ts";
import { poison } from "./poison.ts";
import { summaryTable, targetCheck } from "./report.ts";
import type { ResultRow } from "./run-scenario.ts";
import { readScenario, type Scenario } from "./scenario-file.ts";
import { renderSvg, seriesLines, signedHeatmap } from "../../evals/plots.ts";

const LABELS = ["a", "b", "c", "d"];
const clf = (n: number, prefix: string): ClassificationExample[] =>
  Array.from({ length: n }, (_, i) => ({ id: `${prefix}:${i}`, text: `please help me with request number ${i} about ${LABELS[i % 4]} today`, label: LABELS[i % 4]! }));

const scenario = (overrides: Partial<Scenario> = {}): Scenario => ({
  name: "toy",
  description: "toy",
  dataset: "toy",
  splits: { train: "train", test: "test", golden: "dev" },
  seed: 3,
  sizes: { base: 40, stage: 20, stage_test: 10, golden: 20 },
  quick: { base: 10, stage: 5, stage_test: 5, golden: 10, test: 10 },
  poison_rates: [0.15, 0.25, 0.4],
  poison: { wrong_label: true, typo: true, truncation: true, contradictory_duplicate: true, prompt_injection: true },
  shift: { held_back: ["d"], arrive_at_stage: 2 },
  recipe: { strategy: "full", epochs: 1 },
  maintain_rounds: 1,
  ...overrides,
});

describe("scenario files", () => {
  it("all parse, name distinct data sets and cover the required tasks", async () => {
    const all = await listScenarios();
    expect(all.map((s) => s.dataset).sort()).toEqual(expect.arrayContaining(["banking77", "clinc150", "restaurant8k", "snips", "wnut17"]));
    for (const s of all) expect(s.poison_rates).toEqual([0.15, 0.25, 0.4]);
  });

  it("names the file and the field of a bad scenario", async () => {
    const path = join(await mkdtemp(join(tmpdir(), "scenario-")), "bad.json");
    await writeFile(path, JSON.stringify({ ...scenario(), poison_rates: [0.1, 0.2] }));
    await expect(readScenario(path)).rejects.toThrow(`${path}: field "poison_rates"`);
  });
});

describe("buildStages", () => {
  const train = clf(400, "train");
  const staged = buildStages(scenario(), train, clf(40, "dev"), clf(30, "test"), scenario().sizes);

  it("draws disjoint parts of the requested sizes", () => {
    expect(staged.base).toHaveLength(40);
    expect(staged.stages.map((s) => [s.logged.length, s.test.length])).toEqual([[20, 10], [20, 10], [20, 10]]);
    const ids = [...staged.base, ...staged.stages.flatMap((s) => [...s.logged, ...s.test])].map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(staged.goldenDev.length + staged.goldenRegression.length).toBe(20);
    expect(staged.evaluation).toHaveLength(30 + 30);
  });

  it("holds the shifted label back until its stage", () => {
    const has = (examples: readonly ClassificationExample[]) => examples.some((e) => e.label === "d");
    expect(has(staged.base as ClassificationExample[])).toBe(false);
    expect(staged.stages.map((s) => s.shifted)).toEqual([[], ["d"], ["d"]]);
  });

  it("poisons a rising share of the feedback with every enabled kind", () => {
    expect(staged.stages.map((s) => s.poisoned.size)).toEqual([3, 5, 8]);
    const kinds = new Set(staged.stages.flatMap((s) => [...s.poisoned.values()]));
    expect(kinds.size).toBe(5);
    const original = new Map(train.map((e) => [e.id, e]));
    for (const s of staged.stages) {
      for (const e of s.logged) {
        const changed = JSON.stringify(e) !== JSON.stringify(original.get(e.id));
        if (s.poisoned.has(e.id)) expect(changed, `${e.id} (${s.poisoned.get(e.id)})`).toBe(true);
        else expect(changed).toBe(false);
      }
    }
  });

  it("is reproducible from the seed and changes with it", () => {
    const again = buildStages(scenario(), train, clf(40, "dev"), clf(30, "test"), scenario().sizes);
    expect(again.stages[2]!.logged).toEqual(staged.stages[2]!.logged);
    const other = buildStages(scenario({ seed: 4 }), train, clf(40, "dev"), clf(30, "test"), scenario().sizes);
    expect(other.base.map((e) => e.id)).not.toEqual(staged.base.map((e) => e.id));
  });

  it("refuses a held-back label the data set does not have", () => {
    expect(() => buildStages(scenario({ shift: { held_back: ["zzz"], arrive_at_stage: 2 } }), train, [], [], scenario().sizes)).toThrow(/"zzz"/);
  });
});

describe("poison", () => {
  const random = () => 0.42;
  const ctx = { labels: LABELS, entityTypes: ["person", "location"], trusted: clf(4, "t"), random };

  it("keeps token and tag sequences aligned for every kind", () => {
    const sentence: TokenExample = { id: "s", tokens: ["Ada", "Lovelace", "visited", "London", "yesterday"], tags: ["B-person", "I-person", "O", "B-location", "O"] };
    const tokenCtx = { ...ctx, trusted: [sentence] };
    for (const kind of ["wrong_label", "typo", "truncation", "contradictory_duplicate", "prompt_injection"] as const) {
      const out = poison(sentence, kind, tokenCtx) as TokenExample;
      expect(out.tokens.length, kind).toBe(out.tags.length);
      expect(out.id).toBe("s");
    }
    expect((poison(sentence, "wrong_label", tokenCtx) as TokenExample).tags).not.toEqual(sentence.tags);
  });

  it("injects an instruction that asks for a wrong label, and gives that label", () => {
    const e = clf(1, "x")[0]!;
    const out = poison(e, "prompt_injection", ctx) as ClassificationExample;
    expect(out.label).not.toBe(e.label);
    expect(out.text).toContain(out.label);
    expect(out.text.startsWith(e.text)).toBe(true);
  });
});

const row = (method: string, stage: number, metric: number, extra: Partial<ResultRow> = {}): ResultRow => ({
  scenario: "toy",
  method,
  stage,
  poison_rate: [0, 0.15, 0.25, 0.4][stage]!,
  metric_name: "accuracy",
  metric,
  change: metric - 0.8,
  worst_regression: 0,
  worst_regression_set: "-",
  flips: 0,
  regression_n: 100,
  retrains: stage === 0 ? 1 : 1,
  wall_s: 10,
  train_examples_per_s: 50,
  notes: [],
  ...extra,
});

describe("report", () => {
  const rows = [
    ...[0.8, 0.82, 0.78, 0.7].map((m, s) => row("naive", s, m, { flips: s * 5 })),
    ...[0.8, 0.81, 0.83, 0.84].map((m, s) => row("pioneer", s, m)),
  ];

  it("summarises the final stage against the start and checks the targets", () => {
    const table = summaryTable(rows);
    expect(table).toContain("| toy | naive | 80.00 | 70.00 | -10.00 |");
    expect(table).toContain("| toy | pioneer | 80.00 | 84.00 | +4.00 |");
    expect(targetCheck(rows)).toEqual(["- toy: Pioneer ends at or above its start, above naive (+14.00), no gate violations."]);
    const worse = rows.map((r) => (r.method === "pioneer" && r.stage === 3 ? { ...r, metric: 0.75, change: -0.05, flips: 4 } : r));
    expect(targetCheck(worse)[0]).toMatch(/BELOW its start \(-5.00\), above naive \(\+5.00\), 1 gate violations/);
  });

  it("draws one line per method and a heat-map cell per scenario and method", async () => {
    const svg = await renderSvg(seriesLines({ title: "t", xLabels: ["start", "1", "2"], yLabel: "acc", series: [{ name: "a", values: [0.5, 0.6, 0.7] }, { name: "skipped", values: [0.5, null, null] }] }));
    expect(svg).toMatch(/^<svg /);
    // One line mark per series (the skipped one has its start point only).
    expect(svg.match(/class="mark-line role-mark/g)).toHaveLength(2);
    expect(svg).toContain(">skipped (skipped)<");
    const map = await renderSvg(signedHeatmap({ title: "h", rows: ["x"], cols: ["a", "b"], values: [[0.05, null]], format: (v) => v.toFixed(2) }));
    expect(map).toContain(">0.05<");
    expect(map).toContain(">skipped<");
    expect(map).toContain('fill="#dddddd"');
  });
});
