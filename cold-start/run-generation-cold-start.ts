import { mkdir, mkdtemp } from "node:fs/promises";
import { basename, join } from "node:path";
import type { GenerationDataset } from "../data/index.ts";
import type { AnswerExtractor } from "../evals/answers.ts";
import { pairedBootstrapDelta } from "../evals/bootstrap.ts";
import type { GenerationMetrics } from "../evals/generation-metrics.ts";
import { writeFileAtomic, writeJsonAtomic } from "../lib/atomic-write.ts";
import { progressPrinter } from "../lib/progress-bar.ts";
import type { MemoryStore } from "../memory/index.ts";
import { sampleSelfRationales, SELF_SAMPLING, type SelfRationales } from "../generation/self-rationales.ts";
import { generationTaskSummary, planTargetStrategies, strategyLabel, type StrategyTry } from "../generation/strategy-plan.ts";
import { describeRejected, TARGET_STRATEGIES, type TargetStrategy, trainingRows, trainingRowsHash } from "../generation/targets.ts";
import { evaluateModel } from "../trainer/evaluate-model.ts";
import type { Sampling } from "../trainer/launcher.ts";
import { trainModel } from "../trainer/launcher.ts";
import type { ModelRegistry } from "../trainer/registry.ts";
import { generationColdStartReport } from "./generation-report.ts";
import { withMemory } from "./with-memory.ts";
import type { LlmDecider } from "../llm/decide.ts";
import type { DecisionMode } from "../llm/usage.ts";
import { nextStrategy } from "../generation/strategy-planner.ts";
import { TEACHER_STAGE, teacherRationales } from "../generation/teacher-rationales.ts";
import { rationaleReachesAnswer } from "../evals/answers.ts";
import { newTeacherLog, type TeacherLog } from "./teacher.ts";

/** The fine-tune every strategy gets, so that they differ by their targets only. */
export interface GenerationTraining {
  model: string;
  strategy: "lora" | "full";
  epochs?: number;
  max_steps?: number;
  learning_rate?: number;
  batch_size?: number;
  max_new_tokens?: number;
  seed?: number;
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
  not_tried: { strategy: TargetStrategy; why: string }[];
  evaluation: string;
  memory: { recorded: number; consulted: number };
  /** Where the training rationales came from: the data, and the teacher's (asked, written, and
   * reaching the gold answer: the others are rejected by the rationale targets). */
  rationales: { data: number; teacher: { asked: number; written: number; reached: number } | null };
  teacher: { usage: TeacherLog["usage"]; calls: TeacherLog["calls"] } | null;
  /** Every choice of the next strategy: by the plan (policy) or the LLM planner, and why. */
  decisions: { next: TargetStrategy | "stop"; why: string; mode: DecisionMode; note?: string }[];
  wall_s: number;
}

/** Training questions without a rationale the teacher writes one for, by default. */
export const TEACHER_RATIONALES = 200;

/** Every n-th training example is held out when no --eval is given. */
const HOLDOUT_EVERY = 5;

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
    const heldOut = train.examples.filter((_, i) => i % HOLDOUT_EVERY === HOLDOUT_EVERY - 1);
    if (heldOut.length === 0) throw new Error(`${train.path}: ${train.examples.length} examples leave none to hold out for choosing a strategy; give --eval`);
    const keep = train.examples.map((_, i) => i % HOLDOUT_EVERY !== HOLDOUT_EVERY - 1);
    train = { ...train, examples: train.examples.filter((_, i) => keep[i]), ...(train.lines ? { lines: train.lines.filter((_, i) => keep[i]) } : {}) };
    evalData = { kind: "generation", path: join(dataDir, "held-out.jsonl"), examples: heldOut };
    await writeFileAtomic(evalData.path, heldOut.map((e) => `${JSON.stringify(e)}\n`).join(""));
    evaluation = `${heldOut.length} questions held out of ${input.train.path} (every ${HOLDOUT_EVERY}th; no --eval was given)`;
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
    const notTried = [...skipped];
    log(`cold start (generation) in ${runDir}: ${train.examples.length} training questions, ${heldOut.examples.length} held out; plan: ${plan.map((p) => p.strategy).join(", ")}${past.length ? ` (${past.length} similar past experiments in memory)` : ""}`);

    const candidates: GenerationCandidate[] = [];
    const decisions: GenerationColdStartResult["decisions"] = [];
    const trainStrategy = async (step: StrategyTry): Promise<GenerationCandidate | null> => {
      let self: SelfRationales | null = null;
      let selfFrom: GenerationCandidate | undefined;
      if (step.strategy === "self") {
        selfFrom = candidates.filter((c) => c.strategy === "rationale").at(0);
        if (!selfFrom) {
          notTried.push({ strategy: "self", why: "no rationale student was trained to sample from" });
          return null;
        }
        const sampling = input.sampling ?? SELF_SAMPLING;
        log(`self: sampling ${sampling.samples} outputs a question from the rationale student (temperature ${sampling.temperature})`);
        self = await sampleSelfRationales(selfFrom.dir, train, extractor, await mkdtemp(join(runDir, "self-")), sampling, input.threads ? { globalArgs: ["--threads", String(input.threads)] } : {});
      }
      const { rows, rejected } = trainingRows(train, step.strategy, extractor, self?.rationales);
      if (rows.length === 0) {
        notTried.push({ strategy: step.strategy, why: `every training example was rejected for its targets (first: ${describeRejected(rejected[0]!)})` });
        return null;
      }
      const name = `targets-${step.strategy}`;
      const trainPath = join(dataDir, `${name}-train.jsonl`);
      await writeFileAtomic(trainPath, rows.map((r) => `${JSON.stringify(r)}\n`).join(""));
      if (rejected.length > 0) await writeFileAtomic(join(dataDir, `${name}-rejected.jsonl`), rejected.map((r) => `${JSON.stringify(r)}\n`).join(""));
      log(`${step.strategy}: training on ${rows.length} examples${rejected.length ? ` (${rejected.length} rejected, first: ${describeRejected(rejected[0]!)})` : ""}; ${step.why}`);
      const printer = progressPrinter();
      const trainStarted = performance.now();
      const result = await trainModel(
        { kind: "generation", train_path: trainPath, out_dir: join(runDir, "models", name), answer_extractor: extractor, ...input.training, seed: input.training.seed ?? 0, ...(input.threads ? { threads: input.threads } : {}) },
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
        hyperparameters: { cold_start: "generation", targets: step.strategy, rejected: rejected.length, ...(input.training.max_steps ? { max_steps: input.training.max_steps } : {}), ...(input.training.epochs ? { epochs: input.training.epochs } : {}) },
        metrics: { exact_match: metrics.exact_match, n: metrics.n },
        notes: `cold start (generation, targets: ${step.strategy}) from: ${input.task.slice(0, 200)}`,
      });
      const candidate: GenerationCandidate = {
        strategy: step.strategy, why: step.why, ...(step.from_memory ? { from_memory: step.from_memory } : {}),
        id: manifest.id, dir: result.modelDir, rows: rows.length, rejected: rejected.length,
        ...(self && selfFrom ? { self: { sampled: self.sampled, reached: self.reached, questions: self.rationales.size, from: selfFrom.id, temperature: self.sampling.temperature } } : {}),
        exact_match: metrics.exact_match, exact_match_ci: metrics.exact_match_ci, correct: metrics.correct,
        train_s: Number(trainS.toFixed(1)), train_tokens_per_s: Number(result.metrics.train_tokens_per_s ?? 0), generated_tokens_per_s: evaluated.generated_tokens_per_s,
      };
      log(`${step.strategy}: exact match ${(metrics.exact_match * 100).toFixed(1)}% on ${metrics.n} held-out questions (${manifest.id})`);
      return candidate;
    };

    // Each try: the planner picks among the strategies left (offline: the plan's order) while the budget lasts.
    const remaining = [...plan];
    while (remaining.length > 0) {
      const minutes = (performance.now() - started) / 60_000;
      if (input.tries !== undefined && candidates.length >= input.tries) {
        notTried.push(...remaining.splice(0).map((r) => ({ strategy: r.strategy, why: `the first ${input.tries} ${input.tries === 1 ? "strategy was" : "strategies were"} tried (--tries)` })));
        break;
      }
      if (input.minutes !== undefined && minutes >= input.minutes) {
        notTried.push(...remaining.splice(0).map((r) => ({ strategy: r.strategy, why: `the budget of ${input.minutes} minutes was spent (${minutes.toFixed(1)})` })));
        break;
      }
      const decided = await nextStrategy(input.planner ?? null, {
        task: input.task, summary, remaining,
        tried: candidates.map((c) => ({ strategy: c.strategy, model: c.id, exact_match: c.exact_match, exact_match_ci: c.exact_match_ci, training_examples: c.rows, rejected: c.rejected, train_s: c.train_s })),
        budget: { minutes_left: input.minutes !== undefined ? Number((input.minutes - minutes).toFixed(1)) : null, tries_left: input.tries !== undefined ? input.tries - candidates.length : null },
      }, memory, runId);
      decisions.push({ next: decided.next, why: decided.why, mode: decided.mode, ...(decided.note ? { note: decided.note } : {}) });
      if (decided.next === "stop") {
        notTried.push(...remaining.splice(0).map((r) => ({ strategy: r.strategy, why: `the ${decided.mode === "llm" ? "LLM planner" : "planner"} stopped: ${decided.why}` })));
        break;
      }
      const step = remaining.splice(remaining.findIndex((r) => r.strategy === decided.next), 1)[0]!;
      const c = await trainStrategy(decided.mode === "llm" ? { ...step, why: `the LLM planner chose it: ${decided.why}` } : step);
      if (c) candidates.push(c);
    }
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
    const recorded = await recordStrategyExperiments(memory, runId, summary, candidates, best, baseline);
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
    return result;
  });
}

/** Every candidate as an experiment in the memory: its strategy, its gain over the baseline
 * (answer-only targets when tried) on the held-out questions, whether it won; searchable by the
 * task's summary, so that a similar task starts from the winner. */
async function recordStrategyExperiments(memory: MemoryStore, runId: string, summary: string, candidates: readonly GenerationCandidate[], best: GenerationCandidate, baseline: GenerationCandidate): Promise<number> {
  for (const c of candidates) {
    await memory.addExperiment({
      id: `${runId}/${c.id}`,
      run_id: runId,
      task: "generation",
      parent_model: baseline.id,
      candidate_model: c.id,
      strategy: strategyLabel(c.strategy),
      hyperparameters: { targets: c.strategy, rows: c.rows, rejected: c.rejected, train_s: c.train_s },
      data_delta: { added: c.rows, removed: c.rejected, relabeled: 0, why: `targets: ${c.strategy}` },
      failure_summary: summary,
      metrics_before: { exact_match: baseline.exact_match },
      metrics_after: { exact_match: c.exact_match },
      gain: c.exact_match - baseline.exact_match,
      verdict: c === best ? "promoted" : "rejected",
      reasons: [c === best ? "the best exact match on the held-out questions" : `exact match ${(c.exact_match * 100).toFixed(1)}% against ${(best.exact_match * 100).toFixed(1)}% for targets: ${best.strategy}`],
    });
  }
  return candidates.length;
}
