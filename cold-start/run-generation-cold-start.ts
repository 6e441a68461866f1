import { mkdir, mkdtemp } from "node:fs/promises";
import { basename, join } from "node:path";
import type { GenerationDataset } from "../data/index.ts";
import { type AnswerExtractor, rationaleReachesAnswer } from "../evals/answers.ts";
import { pairedBootstrapDelta } from "../evals/bootstrap.ts";
import type { GenerationMetrics } from "../evals/generation-metrics.ts";
import { holdOutEveryNth } from "../generation/hold-out.ts";
import { prepareTargets } from "../generation/prepare-targets.ts";
import { recordStrategyExperiments } from "../generation/strategy-experiments.ts";
import { generationTaskSummary, planTargetStrategies, type StrategyTry } from "../generation/strategy-plan.ts";
import type { StrategyEvidence } from "../generation/strategy-planner.ts";
import { type NotTried, searchStrategies, type StrategyDecision } from "../generation/strategy-search.ts";
import { describeRejected, TARGET_STRATEGIES, type TargetStrategy, trainingRowsHash } from "../generation/targets.ts";
import { TEACHER_STAGE, teacherRationales } from "../generation/teacher-rationales.ts";
import { generationColdStartHtml } from "./report-html.ts";
import { writeFileAtomic, writeJsonAtomic } from "../lib/atomic-write.ts";
import { progressPrinter } from "../lib/progress-bar.ts";
import type { LlmDecider } from "../llm/decide.ts";
import { evaluateModel } from "../trainer/evaluate-model.ts";
import { type Sampling, trainModel } from "../trainer/launcher.ts";
import type { ModelRegistry } from "../trainer/registry.ts";
import { generationColdStartReport } from "./generation-report.ts";
import { newTeacherLog, type TeacherLog } from "./teacher.ts";
import { withMemory } from "./with-memory.ts";
import type { GenerationFineTune } from "../trainer/job-spec.ts";

/** The fine-tune every strategy gets, so that they differ by their targets only. */
export interface GenerationTraining extends GenerationFineTune {
  model: string;
  strategy: "lora" | "full";
}

export interface GenerationColdStartInput {
  task: string;
  train: GenerationDataset;
  /** The held-out questions the strategies are compared on; null: every 5th training example. */
  evalData: GenerationDataset | null;
  extractor: AnswerExtractor;
  /** The strategies that may be tried (default all); the plan orders them. */
  strategies?: readonly TargetStrategy[];
  /** Strategies trained at most (the rest are reported as not tried). */
  tries?: number;
  /** No strategy is started after this many minutes. */
  minutes?: number;
  training: GenerationTraining;
  sampling?: Sampling;
  runDir: string;
  registry: ModelRegistry;
  /** The LLM planner that picks each next strategy from the evidence (null: the plan's order). */
  planner?: LlmDecider | null;
  /** The LLM teacher that writes rationales for training questions without one (null: none). */
  teacher?: LlmDecider | null;
  /** Questions without a rationale the teacher writes one for, at most (default ${TEACHER_RATIONALES}). */
  teacherRationales?: number;
  /** The LanceDB memory read for past winners and written with this run's experiments (default <runDir>/memory). */
  memoryDir?: string;
  threads?: number;
}

/** One strategy's trained candidate and the evidence it was judged on. */
export interface GenerationCandidate {
  strategy: TargetStrategy;
  why: string;
  from_memory?: string;
  id: string;
  dir: string;
  rows: number;
  rejected: number;
  /** Self targets: how many outputs were sampled and how many reached the gold answer. */
  self?: { sampled: number; reached: number; questions: number; from: string; temperature: number };
  exact_match: number;
  exact_match_ci: [number, number];
  correct: boolean[];
  train_s: number;
  train_tokens_per_s: number;
  generated_tokens_per_s: number;
}

export interface GenerationColdStartResult {
  kind: "generation";
  promoted: string;
  model_dir: string;
  run_dir: string;
  strategy: TargetStrategy;
  exact_match: number;
  /** Why the promoted strategy was chosen, with its paired interval against each other candidate. */
  choice: string;
  candidates: Omit<GenerationCandidate, "correct" | "dir">[];
  comparisons: { strategy: TargetStrategy; against: TargetStrategy; delta: number; low: number; high: number }[];
  not_tried: NotTried[];
  evaluation: string;
  memory: { recorded: number; consulted: number };
  /** Where the training rationales came from: the data, and the teacher's (asked, written, and
   * reaching the gold answer: the others are rejected by the rationale targets). */
  rationales: { data: number; teacher: { asked: number; written: number; reached: number } | null };
  teacher: { usage: TeacherLog["usage"]; calls: TeacherLog["calls"] } | null;
  /** Every choice of the next strategy: by the plan (policy) or the LLM planner, and why. */
  decisions: StrategyDecision[];
  wall_s: number;
}

/** Training questions without a rationale the teacher writes one for, by default. */
export const TEACHER_RATIONALES = 200;

/** What the strategy planner sees of a trained candidate. */
export const candidateEvidence = (c: GenerationCandidate): StrategyEvidence => ({
  strategy: c.strategy, model: c.id, exact_match: c.exact_match, exact_match_ci: c.exact_match_ci, training_examples: c.rows, rejected: c.rejected, train_s: c.train_s,
});

/** The best candidate: the highest exact match; on a tie the one tried first (the remembered
 * winner, else the cheaper targets). */
export function chooseGenerationCandidate<T extends { exact_match: number }>(candidates: readonly T[]): T {
  return candidates.reduce((best, c) => (c.exact_match > best.exact_match ? c : best));
}

/**
 * A generation task from its examples to a promoted model, choosing the target strategy by
 * measurement: the plan orders the strategies (past winners on similar tasks from the memory
 * first), each within the budget trains a student on its targets, all are scored on the same
 * held-out questions, the best is promoted, the paired bootstrap interval of its lead over each
 * other candidate goes to the report, and every candidate goes to the memory as an experiment.
 */
export async function runGenerationColdStart(input: GenerationColdStartInput, log: (m: string) => void = (m) => console.error(m)): Promise<GenerationColdStartResult> {
  const started = performance.now();
  const { runDir, extractor } = input;
  const runId = basename(runDir);
  const dataDir = join(runDir, "data");
  await mkdir(dataDir, { recursive: true });
  await writeJsonAtomic(join(runDir, "task-spec.json"), { kind: "generation", description: input.task, answer_extractor: extractor, strategies: input.strategies ?? TARGET_STRATEGIES, training: input.training });

  let train = input.train;
  let evalData = input.evalData;
  let evaluation = evalData ? `${evalData.examples.length} held-out questions (${evalData.path})` : "";
  if (!evalData) {
    const split = await holdOutEveryNth(train, join(dataDir, "held-out.jsonl"), { noun: "questions", purpose: "choosing a strategy", flag: "eval" });
    ({ kept: train, heldOut: evalData, note: evaluation } = split);
  }
  const heldOut = evalData;

  // Training questions without a rationale get the teacher's (kept only when they reach the gold
  // answer, like the data set's), when an endpoint is set and rationale targets may be tried.
  const teacherLog = newTeacherLog();
  let teacherWritten: GenerationColdStartResult["rationales"]["teacher"] = null;
  const dataRationales = train.examples.filter((e) => e.rationale).length;
  if (input.teacher && (input.strategies ?? TARGET_STRATEGIES).includes("rationale") && dataRationales < train.examples.length) {
    const taught = await teacherRationales(input.teacher, input.task, train, { limit: input.teacherRationales ?? TEACHER_RATIONALES }, teacherLog);
    train = taught.dataset;
    const reached = taught.dataset.examples.filter((e) => e.stage === TEACHER_STAGE && rationaleReachesAnswer(e.rationale!, e.target, extractor)).length;
    teacherWritten = { asked: taught.asked, written: taught.written, reached };
    log(`teacher: ${taught.written} rationales written for ${taught.asked} questions without one; ${reached} reach the gold answer`);
  }

  const summary = generationTaskSummary(input.task, extractor);
  return withMemory(input.memoryDir ?? join(runDir, "memory"), input.threads, async (memory) => {
    const past = (await memory.strategiesForSimilarFailures(summary, { k: 10, minSimilarity: 0.5 })).filter((e) => e.run_id !== runId);
    const { plan, skipped } = planTargetStrategies(input.strategies ?? TARGET_STRATEGIES, { rationales: train.examples.filter((e) => e.rationale).length }, past);
    log(`cold start (generation) in ${runDir}: ${train.examples.length} training questions, ${heldOut.examples.length} held out; plan: ${plan.map((p) => p.strategy).join(", ")}${past.length ? ` (${past.length} similar past experiments in memory)` : ""}`);

    const trainStrategy = async (step: StrategyTry, tried: readonly GenerationCandidate[]): Promise<{ candidate: GenerationCandidate } | { notTried: NotTried }> => {
      const selfFrom = tried.find((c) => c.strategy === "rationale");
      const targets = await prepareTargets(step.strategy, {
        train: [train], extractor, dataDir, workDir: runDir, selfFrom: selfFrom ? { id: selfFrom.id, dir: selfFrom.dir } : null,
        ...(input.sampling ? { sampling: input.sampling } : {}), ...(input.threads ? { threads: input.threads } : {}), log,
      });
      if ("notTried" in targets) return targets;
      const { trainPath, rows, rejected, self } = targets.prepared;
      log(`${step.strategy}: training on ${rows.length} examples${rejected.length ? ` (${rejected.length} rejected, first: ${describeRejected(rejected[0]!)})` : ""}; ${step.why}`);
      const printer = progressPrinter();
      const trainStarted = performance.now();
      const result = await trainModel(
        { kind: "generation", train_path: trainPath, out_dir: join(runDir, "models", `targets-${step.strategy}`), answer_extractor: extractor, ...input.training, seed: input.training.seed ?? 0, ...(input.threads ? { threads: input.threads } : {}) },
        { onProgress: (e) => printer.update(e) },
      );
      const trainS = (performance.now() - trainStarted) / 1000;
      const evaluated = await evaluateModel(result.modelDir, heldOut, await mkdtemp(join(runDir, "eval-")));
      const metrics: GenerationMetrics = evaluated.metrics;
      const manifest = await input.registry.register({
        parent: null,
        model_dir: result.modelDir,
        data_version: trainingRowsHash(rows),
        task_kind: "generation",
        labels: [],
        base_model: input.training.model,
        strategy: input.training.strategy,
        hyperparameters: { cold_start: "generation", task: input.task, targets: step.strategy, rejected: rejected.length, ...(input.training.max_steps ? { max_steps: input.training.max_steps } : {}), ...(input.training.epochs ? { epochs: input.training.epochs } : {}) },
        metrics: { exact_match: metrics.exact_match, n: metrics.n },
        notes: `cold start (generation, targets: ${step.strategy}) from: ${input.task.slice(0, 200)}`,
      });
      log(`${step.strategy}: exact match ${(metrics.exact_match * 100).toFixed(1)}% on ${metrics.n} held-out questions (${manifest.id})`);
      return {
        candidate: {
          strategy: step.strategy, why: step.why, ...(step.from_memory ? { from_memory: step.from_memory } : {}),
          id: manifest.id, dir: result.modelDir, rows: rows.length, rejected: rejected.length, ...(self ? { self } : {}),
          exact_match: metrics.exact_match, exact_match_ci: metrics.exact_match_ci, correct: metrics.correct,
          train_s: Number(trainS.toFixed(1)), train_tokens_per_s: Number(result.metrics.train_tokens_per_s ?? 0), generated_tokens_per_s: evaluated.generated_tokens_per_s,
        },
      };
    };

    const { candidates, decisions, notTried } = await searchStrategies(
      { task: input.task, summary, plan, skipped, tries: input.tries, minutes: input.minutes, started, planner: input.planner ?? null, memory, runId },
      candidateEvidence,
      trainStrategy,
    );
    if (candidates.length === 0) throw new Error(`no target strategy could be trained: ${notTried.map((n) => `${n.strategy}: ${n.why}`).join("; ")}`);

    const best = chooseGenerationCandidate(candidates);
    const comparisons = candidates.filter((c) => c !== best).map((c) => {
      const d = pairedBootstrapDelta(c.correct, best.correct);
      return { strategy: best.strategy, against: c.strategy, delta: d.delta, low: d.low, high: d.high };
    });
    const significant = comparisons.filter((c) => c.low > 0).map((c) => c.against);
    const choice = candidates.length === 1
      ? `the only strategy tried (${best.why})`
      : comparisons.every((c) => c.delta === 0)
        ? `tied with every other strategy on the held-out questions; kept as the first tried (${best.why})`
        : `the highest exact match on the held-out questions${significant.length ? `, significantly above ${significant.join(" and ")} (paired bootstrap, 95%)` : ", though not significantly above every other (paired bootstrap, 95%)"}`;
    await input.registry.promote(best.id);
    log(`promoted ${best.id} (targets: ${best.strategy}): ${choice}`);

    const baseline = candidates.find((c) => c.strategy === "answer") ?? candidates[0]!;
    const recorded = await recordStrategyExperiments(memory, runId, summary, baseline, candidates.map((c) => ({
      ...c,
      verdict: c === best ? "promoted" as const : "rejected" as const,
      reasons: [c === best ? "the best exact match on the held-out questions" : `exact match ${(c.exact_match * 100).toFixed(1)}% against ${(best.exact_match * 100).toFixed(1)}% for targets: ${best.strategy}`],
    })));
    const result: GenerationColdStartResult = {
      kind: "generation",
      promoted: best.id,
      model_dir: best.dir,
      run_dir: runDir,
      strategy: best.strategy,
      exact_match: best.exact_match,
      choice,
      candidates: candidates.map(({ correct: _c, dir: _d, ...c }) => c),
      comparisons,
      not_tried: notTried,
      evaluation,
      memory: { recorded, consulted: past.length },
      decisions,
      rationales: { data: dataRationales, teacher: teacherWritten },
      teacher: teacherLog.calls.length ? { usage: teacherLog.usage, calls: teacherLog.calls } : null,
      wall_s: Number(((performance.now() - started) / 1000).toFixed(1)),
    };
    await writeJsonAtomic(join(runDir, "result.json"), result);
    await writeFileAtomic(join(runDir, "report.md"), generationColdStartReport(input.task, result));
    await writeFileAtomic(join(runDir, "report.html"), await generationColdStartHtml(result, input.task));
    return result;
  });
}
