import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { type Dataset, type Example, labelSet, writeExamplesJsonl } from "../../data/index.ts";
import { RunResources } from "../../run/resources.ts";
import type { TaskInfo } from "../../run/types.ts";
import type { WorkerServer } from "../../trainer/serve-client.ts";
import type { ProgressEvent } from "../../trainer/worker-events.ts";
import { trainOnce } from "../train-once.ts";
import { loadStagedScenario, type StagedScenario } from "./build-stages.ts";
import { measure, type RegressionSet, type StageMeasurement } from "./measure.ts";
import { clFilterStage, METHODS, recipeSpec, type MethodKey, type MethodState, naiveStage, pioneerStage, type StageContext, type StageOutcome } from "./methods.ts";
import type { Scenario } from "./scenario-file.ts";

/** One row of the results: one scenario, method and stage (stage 0 = the base model). */
export interface ResultRow {
  scenario: string;
  method: string;
  stage: number;
  poison_rate: number;
  metric_name: "accuracy" | "entity_f1";
  metric: number;
  change: number;
  worst_regression: number;
  worst_regression_set: string;
  flips: number;
  regression_n: number;
  retrains: number;
  wall_s: number;
  train_examples_per_s: number | null;
  notes: string[];
  skipped?: string;
}

export interface RunOptions {
  quick: boolean;
  methods: MethodKey[];
  workDir: string;
  server: WorkerServer;
  log: (message: string) => void;
  onProgress: (e: ProgressEvent) => void;
  /** Whether an OpenAI-compatible endpoint is configured (method e runs only then). */
  llm: boolean;
}

const prefixed = (stage: number, examples: readonly Example[]) => examples.map((e) => ({ ...e, id: `s${stage}/${e.id}` }));

/** Why method (e) is skipped when no endpoint is configured. */
export const LLM_SKIP_REASON = "skipped: no LLM endpoint configured (set OPENAI_API_KEY or OPENAI_BASE_URL)";

/** Runs every method on one scenario; rows arrive in stage order per method. */
export async function runScenario(scenario: Scenario, options: RunOptions): Promise<ResultRow[]> {
  const { log, server } = options;
  const data: StagedScenario = await loadStagedScenario(scenario, options.quick);
  const work = join(options.workDir, `${scenario.name}${options.quick ? "-quick" : ""}`);
  await mkdir(work, { recursive: true });
  const { min_steps: _minSteps, ...quickRecipe } = scenario.recipe;
  const recipe = options.quick ? { ...quickRecipe, epochs: 1 } : scenario.recipe;
  const seed = scenario.seed;
  log(
    `base ${data.base.length}, stages ${data.stages.map((s) => `${s.logged.length} (${s.poisoned.size} poisoned${s.shifted.length ? `, new: ${s.shifted.join(" ")}` : ""})`).join(" / ")}, evaluation ${data.evaluation.length}`,
  );

  // Stage 0: the base model.
  const basePath = join(work, "base.jsonl");
  await writeExamplesJsonl(basePath, data.base);
  const baseStart = performance.now();
  const base = await trainOnce({ kind: data.kind, train_path: basePath, out_dir: join(work, "base"), ...recipeSpec(recipe, data.base.length), seed }, { onProgress: options.onProgress });
  const baseWall = base.reused ? Number(base.metrics.wall_s ?? 0) : (performance.now() - baseStart) / 1000;
  const allLabels = labelSet({ kind: data.kind, path: basePath, examples: [...data.base, ...data.evaluation] } as Dataset);
  const task: TaskInfo = {
    kind: data.kind,
    labels: allLabels,
    oos_label: scenario.recipe.oos_label ?? null,
    metric: data.kind === "classification" ? "accuracy" : "entity_f1",
  };
  // One prediction pass: the golden set is the golden candidates the base model gets right, so the
  // start has no regressions on it by construction.
  const baseMeasurement = await measure(server, base.modelDir, task, data.evaluation, [{ name: "golden", examples: data.goldenRegression }]);
  const golden: RegressionSet = { name: "golden", examples: data.goldenRegression.filter((e) => baseMeasurement.right.has(e.id)) };
  const start: StageMeasurement = { ...baseMeasurement, flips: 0, worstRegression: 0, worstRegressionSet: "-" };
  log(`base model: ${task.metric} ${(start.metric * 100).toFixed(2)} on ${data.evaluation.length}; golden regression set ${golden.examples.length}`);

  const rows: ResultRow[] = [];
  const row = (method: string, stage: number, m: typeof start, extra: Partial<ResultRow> = {}): ResultRow => ({
    scenario: scenario.name,
    method,
    stage,
    poison_rate: stage === 0 ? 0 : (scenario.poison_rates[stage - 1] ?? 0),
    metric_name: task.metric,
    metric: m.metric,
    change: m.metric - start.metric,
    worst_regression: m.worstRegression,
    worst_regression_set: m.worstRegressionSet,
    flips: m.flips,
    regression_n: golden.examples.length,
    retrains: 0,
    wall_s: 0,
    train_examples_per_s: null,
    notes: [],
    ...extra,
  });

  for (const key of options.methods) {
    const method = METHODS[key].id;
    rows.push(row(method, 0, start, { retrains: 1, wall_s: Math.round(baseWall), train_examples_per_s: Number(base.metrics.examples_per_s ?? 0) || null }));
    if (key === "e" && !options.llm) {
      for (const s of data.stages) rows.push(row(method, s.index, start, { skipped: LLM_SKIP_REASON }));
      log(`${method}: ${LLM_SKIP_REASON}`);
      continue;
    }
    let state: MethodState = { modelDir: base.modelDir, data: data.base };
    const kept: RegressionSet[] = [];
    const methodDir = join(work, method);
    // Pioneer's runs, registry and memory start empty every time (naive and filtered retrains are
    // reused by trainOnce when their data and spec are unchanged).
    const pioneer = key === "d" || key === "e";
    if (pioneer) await rm(methodDir, { recursive: true, force: true });
    await mkdir(methodDir, { recursive: true });
    const resources = pioneer ? await RunResources.open({ memoryDir: join(methodDir, "memory"), registryDir: join(methodDir, "registry") }) : undefined;
    try {
      for (const stage of data.stages) {
        const ctx: StageContext = {
          kind: data.kind,
          stage: stage.index,
          feedback: prefixed(stage.index, stage.logged),
          recipe,
          workDir: methodDir,
          seed,
          onProgress: options.onProgress,
          maintain: {
            regression: golden.examples,
            dev: data.goldenDev,
            rounds: options.quick ? 1 : scenario.maintain_rounds,
            memoryDir: join(methodDir, "memory"),
            registryDir: join(methodDir, "registry"),
            ...(resources ? { resources } : {}),
            ...(options.quick ? { maxEpochs: 1 } : {}),
          },
        };
        log(`${method}: stage ${stage.index} (${stage.logged.length} logged, ${Math.round(stage.poisonRate * 100)}% poisoned)`);
        const started = performance.now();
        let outcome: StageOutcome = { state, retrains: 0, trainedExamples: 0, trainSeconds: 0, notes: [], reusedSeconds: 0 };
        if (key === "b") outcome = await naiveStage(state, ctx);
        if (key === "c") outcome = await clFilterStage(state, ctx);
        if (key === "d") outcome = await pioneerStage(state, ctx, "off");
        if (key === "e") outcome = await pioneerStage(state, ctx, "endpoint");
        const wall = (performance.now() - started) / 1000 + outcome.reusedSeconds;
        state = outcome.state;
        // Without retraining the model is the start model: its measurement is the start's.
        const m = key === "a" ? start : await measure(server, state.modelDir, task, data.evaluation, [golden, ...kept]);
        // The stage's clean test examples (part of the evaluation set) this model gets right must stay right later.
        kept.push({ name: `stage ${stage.index} test`, examples: stage.test.filter((e) => m.right.has(e.id)) });
        const r = row(method, stage.index, m, {
          retrains: outcome.retrains,
          wall_s: Math.round(wall),
          train_examples_per_s: outcome.trainSeconds > 0 ? Math.round(outcome.trainedExamples / outcome.trainSeconds) : null,
          notes: outcome.notes,
        });
        rows.push(r);
        log(`${method}: stage ${stage.index}: ${task.metric} ${(m.metric * 100).toFixed(2)} (${r.change >= 0 ? "+" : ""}${(r.change * 100).toFixed(2)}), flips ${m.flips}/${golden.examples.length}, worst regression ${(m.worstRegression * 100).toFixed(1)}% (${m.worstRegressionSet}), ${Math.round(wall)} s`);
      }
    } finally {
      await resources?.close();
    }
  }
  return rows;
}
