import { mkdir, mkdtemp } from "node:fs/promises";
import { basename, join } from "node:path";
import { type GenerationDataset, seededShuffle } from "../data/index.ts";
import type { AnswerExtractor } from "../evals/answers.ts";
import { pairedBootstrapDelta } from "../evals/bootstrap.ts";
import { generationGateSet } from "../evals/generation-gate.ts";
import { regressionGate } from "../evals/regression-gate.ts";
import { holdOutEveryNth, subset } from "../generation/hold-out.ts";
import { type PreparedTargets, prepareTargets } from "../generation/prepare-targets.ts";
import { recordStrategyExperiments } from "../generation/strategy-experiments.ts";
import { generationTaskSummary, planTargetStrategies, type StrategyTry } from "../generation/strategy-plan.ts";
import { type NotTried, searchStrategies, type StrategyDecision } from "../generation/strategy-search.ts";
import { describeRejected, TARGET_STRATEGIES, type TargetStrategy, trainingRowsHash } from "../generation/targets.ts";
import { writeFileAtomic, writeJsonAtomic } from "../lib/atomic-write.ts";
import { progressPrinter } from "../lib/progress-bar.ts";
import type { LlmDecider } from "../llm/decide.ts";
import { withMemory } from "../cold-start/with-memory.ts";
import { type Sampling, trainModel } from "../trainer/launcher.ts";
import type { GenerationFineTune } from "../trainer/job-spec.ts";
import type { ModelRegistry } from "../trainer/registry.ts";
import { generationMaintenanceHtml, generationMaintenanceReport } from "./generation-maintenance-report.ts";
import { outputsOn } from "./generation-outputs.ts";

export interface GenerationMaintenanceInput {
  /** The deployed model, registered: its version id and directory. */
  parent: { id: string; dir: string; base_model: string; strategy: "lora" | "full"; extractor: AnswerExtractor };
  /** The task in words: the memory is searched by it (the cold start recorded it with the model). */
  task: string;
  /** The deployed model's training questions: a share is replayed beside the failures. */
  train: GenerationDataset;
  /** Questions the deployed model got wrong, with gold answers (and rationales, for rationale targets). */
  failures: GenerationDataset;
  /** Questions it got right: the gate's set, none of which may break beyond the flip budget. */
  regression: GenerationDataset;
  /** Where the gain is measured; null: every 5th failure, held out of training. */
  dev: GenerationDataset | null;
  strategies?: readonly TargetStrategy[];
  tries?: number;
  minutes?: number;
  /** Every candidate's fine-tune (the decoder, and LoRA or full, are the parent's). */
  training: GenerationFineTune;
  sampling?: Sampling;
  planner?: LlmDecider | null;
  /** Right-to-wrong flips on the regression set a candidate may cause (default 2). */
  epsilon?: number;
  /** Training questions replayed per failure trained on (default 1). */
  replay?: number;
  seed?: number;
  runDir: string;
  registry: ModelRegistry;
  memoryDir?: string;
  threads?: number;
}

/** Exact match on the dev questions and accuracy on the regression set. */
export interface GenerationScores {
  dev_exact_match: number;
  dev_exact_match_ci: [number, number];
  regression_accuracy: number;
}

export interface GenerationMaintenanceCandidate extends GenerationScores {
  strategy: TargetStrategy;
  why: string;
  from_memory?: string;
  id: string;
  rows: number;
  rejected: number;
  self?: NonNullable<PreparedTargets["self"]>;
  /** Paired bootstrap interval of the dev gain over the parent. */
  gain: { delta: number; low: number; high: number };
  /** Regression questions the parent answered right and this candidate wrong. */
  flips: string[];
  pass: boolean;
  reasons: string[];
  train_s: number;
  train_tokens_per_s: number;
  generated_tokens_per_s: number;
}

export interface GenerationMaintenanceResult {
  kind: "generation";
  run_dir: string;
  parent: string;
  /** The promoted candidate, or null when none gained without breaking the regression set. */
  promoted: string | null;
  strategy: TargetStrategy | null;
  before: GenerationScores;
  after: GenerationScores | null;
  choice: string;
  candidates: GenerationMaintenanceCandidate[];
  not_tried: NotTried[];
  decisions: StrategyDecision[];
  data: { failures_trained: number; dev: number; dev_from: string; regression: number; replayed: number; rationales: number };
  epsilon: number;
  memory: { recorded: number; consulted: number };
  wall_s: number;
}

/** Training questions whose ids are not taken by the failures (self-rationales are keyed by id). */
function replayed(train: GenerationDataset, taken: ReadonlySet<string>, count: number, seed: number): GenerationDataset {
  const chosen = new Set(seededShuffle(train.examples.map((_, i) => i).filter((i) => !taken.has(train.examples[i]!.id)), seed).slice(0, count));
  return subset(train, (i) => chosen.has(i));
}

/**
 * Maintenance of a generation model: the failures (less a dev share) and a replay of its training
 * questions become a round's data; the plan orders the target strategies (the memory's winners on
 * similar tasks first); every candidate warm-starts from the deployed model, is scored on the dev
 * questions (the gain) and on the regression set (the gate: flips within epsilon, no significant
 * drop), and the best that gains and passes is promoted; every candidate goes to the memory.
 */
export async function runGenerationMaintenance(input: GenerationMaintenanceInput, log: (m: string) => void = (m) => console.error(m)): Promise<GenerationMaintenanceResult> {
  const started = performance.now();
  const { runDir, parent } = input;
  const extractor = parent.extractor;
  const runId = basename(runDir);
  const epsilon = input.epsilon ?? 2;
  const seed = input.seed ?? 0;
  const dataDir = join(runDir, "data");
  await mkdir(dataDir, { recursive: true });

  let failures = input.failures;
  let dev = input.dev;
  let devFrom = dev ? `${dev.examples.length} questions (${dev.path})` : "";
  if (!dev) {
    ({ kept: failures, heldOut: dev, note: devFrom } = await holdOutEveryNth(failures, join(dataDir, "dev.jsonl"), { noun: "failures", purpose: "measuring the gain", flag: "dev" }));
  }
  const devSet = dev;
  const replay = replayed(input.train, new Set(failures.examples.map((e) => e.id)), Math.round((input.replay ?? 1) * failures.examples.length), seed);
  const sources = [failures, replay];
  const rationales = sources.reduce((n, d) => n + d.examples.filter((e) => e.rationale).length, 0);
  const workerOptions = input.threads ? { globalArgs: ["--threads", String(input.threads)] } : {};

  log(`maintenance (generation) of ${parent.id} in ${runDir}: ${failures.examples.length} failures + ${replay.examples.length} replayed training questions; gain on ${devSet.examples.length} dev questions, gate on ${input.regression.examples.length} regression questions`);
  const parentScored = await outputsOn(parent.dir, [devSet, input.regression], await mkdtemp(join(runDir, "eval-")), workerOptions);
  const [parentDev, parentRegression] = parentScored.metrics as [typeof parentScored.metrics[0], typeof parentScored.metrics[0]];
  const before: GenerationScores = { dev_exact_match: parentDev.exact_match, dev_exact_match_ci: parentDev.exact_match_ci, regression_accuracy: parentRegression.exact_match };
  log(`${parent.id}: exact match ${(before.dev_exact_match * 100).toFixed(1)}% on the dev questions, ${(before.regression_accuracy * 100).toFixed(1)}% on the regression set`);

  const summary = generationTaskSummary(input.task, extractor);
  return withMemory(input.memoryDir ?? join(runDir, "memory"), input.threads, async (memory) => {
    const past = (await memory.strategiesForSimilarFailures(summary, { k: 10, minSimilarity: 0.5 })).filter((e) => e.run_id !== runId);
    const { plan, skipped } = planTargetStrategies(input.strategies ?? TARGET_STRATEGIES, { rationales }, past);
    log(`plan: ${plan.map((p) => p.strategy).join(", ")}${past.length ? ` (${past.length} similar past experiments in memory)` : ""}`);

    const trainCandidate = async (step: StrategyTry, tried: readonly (GenerationMaintenanceCandidate & { dir: string })[]) => {
      const selfFrom = tried.find((c) => c.strategy === "rationale");
      const targets = await prepareTargets(step.strategy, {
        train: sources, extractor, dataDir, workDir: runDir, selfFrom: selfFrom ? { id: selfFrom.id, dir: selfFrom.dir } : null,
        ...(input.sampling ? { sampling: input.sampling } : {}), ...(input.threads ? { threads: input.threads } : {}), log,
      });
      if ("notTried" in targets) return targets;
      const { trainPath, rows, rejected, self } = targets.prepared;
      log(`${step.strategy}: training on ${rows.length} examples from ${parent.id}${rejected.length ? ` (${rejected.length} rejected, first: ${describeRejected(rejected[0]!)})` : ""}; ${step.why}`);
      const printer = progressPrinter();
      const trainStarted = performance.now();
      const trained = await trainModel(
        {
          kind: "generation", train_path: trainPath, out_dir: join(runDir, "models", `targets-${step.strategy}`), model: parent.base_model, strategy: parent.strategy,
          init_from: parent.dir, answer_extractor: extractor, ...input.training, seed: input.training.seed ?? seed, ...(input.threads ? { threads: input.threads } : {}),
        },
        { onProgress: (e) => printer.update(e) },
      );
      const trainS = (performance.now() - trainStarted) / 1000;
      const scored = await outputsOn(trained.modelDir, [devSet, input.regression], await mkdtemp(join(runDir, "eval-")), workerOptions);
      const [devMetrics, regressionMetrics] = scored.metrics as [typeof scored.metrics[0], typeof scored.metrics[0]];
      const verdict = regressionGate({ epsilon, sets: [generationGateSet("regression", input.regression.examples, parentScored.outputs[1]!, scored.outputs[1]!, extractor)] });
      const gain = pairedBootstrapDelta(parentDev.correct, devMetrics.correct);
      const gained = devMetrics.exact_match > before.dev_exact_match;
      const reasons = [
        ...(gained ? [] : [`no gain on the dev questions: exact match ${(before.dev_exact_match * 100).toFixed(1)}% -> ${(devMetrics.exact_match * 100).toFixed(1)}%`]),
        ...(verdict.pass ? [] : verdict.reasons),
      ];
      const pass = gained && verdict.pass;
      if (pass) reasons.push(`exact match on the dev questions ${(before.dev_exact_match * 100).toFixed(1)}% -> ${(devMetrics.exact_match * 100).toFixed(1)}%; ${verdict.reasons.join("; ")}`);
      const manifest = await input.registry.register({
        parent: parent.id,
        model_dir: trained.modelDir,
        data_version: trainingRowsHash(rows),
        task_kind: "generation",
        labels: [],
        base_model: parent.base_model,
        strategy: parent.strategy,
        hyperparameters: { maintain: "generation", task: input.task, targets: step.strategy, rejected: rejected.length, init_from: parent.id, ...input.training },
        metrics: { dev_exact_match: devMetrics.exact_match, regression_accuracy: regressionMetrics.exact_match, flips: verdict.flips.total, gate: pass ? "pass" : "fail" },
        notes: `maintain ${runId} (generation, targets: ${step.strategy}) from ${parent.id}`,
      });
      log(`${step.strategy}: ${manifest.id} exact match ${(devMetrics.exact_match * 100).toFixed(1)}% on dev, ${(regressionMetrics.exact_match * 100).toFixed(1)}% on regression, ${verdict.flips.total} flips: ${pass ? "passes" : `rejected: ${reasons.join("; ")}`}`);
      const candidate: GenerationMaintenanceCandidate & { dir: string } = {
        strategy: step.strategy, why: step.why, ...(step.from_memory ? { from_memory: step.from_memory } : {}),
        id: manifest.id, dir: trained.modelDir, rows: rows.length, rejected: rejected.length, ...(self ? { self } : {}),
        dev_exact_match: devMetrics.exact_match, dev_exact_match_ci: devMetrics.exact_match_ci, regression_accuracy: regressionMetrics.exact_match,
        gain: { delta: gain.delta, low: gain.low, high: gain.high }, flips: verdict.flips.per_set.regression ?? [], pass, reasons,
        train_s: Number(trainS.toFixed(1)), train_tokens_per_s: Number(trained.metrics.train_tokens_per_s ?? 0), generated_tokens_per_s: scored.generated_tokens_per_s,
      };
      return { candidate };
    };

    const { candidates, decisions, notTried } = await searchStrategies(
      { task: input.task, summary, plan, skipped, tries: input.tries, minutes: input.minutes, started, planner: input.planner ?? null, memory, runId },
      (c) => ({ strategy: c.strategy, model: c.id, exact_match: c.dev_exact_match, exact_match_ci: c.dev_exact_match_ci, training_examples: c.rows, rejected: c.rejected, train_s: c.train_s }),
      trainCandidate,
    );

    const passing = candidates.filter((c) => c.pass);
    const best = passing.length ? passing.reduce((b, c) => (c.dev_exact_match > b.dev_exact_match ? c : b)) : null;
    let choice: string;
    if (best) {
      await input.registry.promote(best.id, { ifCurrent: parent.id });
      choice = `the highest exact match on the dev questions of the ${passing.length} ${passing.length === 1 ? "candidate" : "candidates"} that gained and kept the regression set within ${epsilon} flips (${best.why})`;
      log(`promoted ${best.id} (targets: ${best.strategy}): ${choice}`);
    } else {
      choice = candidates.length === 0
        ? `no strategy could be trained: ${notTried.map((n) => `${n.strategy}: ${n.why}`).join("; ")}`
        : `no candidate both gained on the dev questions and kept the regression set; ${parent.id} stays deployed`;
      log(choice);
    }
    const recorded = await recordStrategyExperiments(memory, runId, summary, { id: parent.id, exact_match: before.dev_exact_match }, candidates.map((c) => ({
      strategy: c.strategy, id: c.id, rows: c.rows, rejected: c.rejected, train_s: c.train_s, exact_match: c.dev_exact_match,
      verdict: c === best ? "promoted" : "rejected", reasons: c.reasons,
    })));
    const result: GenerationMaintenanceResult = {
      kind: "generation",
      run_dir: runDir,
      parent: parent.id,
      promoted: best?.id ?? null,
      strategy: best?.strategy ?? null,
      before,
      after: best ? { dev_exact_match: best.dev_exact_match, dev_exact_match_ci: best.dev_exact_match_ci, regression_accuracy: best.regression_accuracy } : null,
      choice,
      candidates: candidates.map(({ dir: _d, ...c }) => c),
      not_tried: notTried,
      decisions,
      data: { failures_trained: failures.examples.length, dev: devSet.examples.length, dev_from: devFrom, regression: input.regression.examples.length, replayed: replay.examples.length, rationales },
      epsilon,
      memory: { recorded, consulted: past.length },
      wall_s: Number(((performance.now() - started) / 1000).toFixed(1)),
    };
    await writeJsonAtomic(join(runDir, "result.json"), result);
    await writeFileAtomic(join(runDir, "report.md"), generationMaintenanceReport(input.task, result));
    await writeFileAtomic(join(runDir, "report.html"), await generationMaintenanceHtml(input.task, result));
    return result;
  });
}
