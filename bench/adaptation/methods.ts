import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { type Example, readExamples, writeExamplesJsonl } from "../../data/index.ts";
import { openCheckpointer } from "../../graph/checkpointer.ts";
import { compileMaintainGraph } from "../../graph/graph.ts";
import { learntDataVersions } from "../../run/learnt-data.ts";
import type { LlmMode } from "../../llm/settings.ts";
import type { RunResources } from "../../run/resources.ts";
import type { DataVersion } from "../../run/types.ts";
import { MaintainInput } from "../../graph/maintain-input.ts";
import { findLabelIssues } from "../../tools/find-label-issues.ts";
import type { JobSpecInput } from "../../trainer/job-spec.ts";
import type { ProgressEvent } from "../../trainer/worker-events.ts";
import { epochsForMinSteps } from "../../agents/planner/round-plan.ts";
import { trainOnce } from "../train-once.ts";
import type { Recipe } from "./scenario-file.ts";

/** The methods compared; each adapts a deployed model to one stage of logged feedback. */
export const METHODS = {
  a: { id: "none", title: "no retraining" },
  b: { id: "naive", title: "naive retraining on all feedback" },
  c: { id: "cl_filter", title: "confident-learning filter, then retrain" },
  d: { id: "pioneer", title: "Pioneer maintain (offline policies)" },
  e: { id: "pioneer_llm", title: "Pioneer maintain with an LLM" },
} as const;
export type MethodKey = keyof typeof METHODS;

/** What a method carries from one stage to the next. */
export interface MethodState {
  modelDir: string;
  /** The data the current model was trained on. */
  data: Example[];
  /** Feedback logged at earlier stages that no promoted data version took in yet (Pioneer only: a
   * stage whose candidates were all rejected leaves its log for the next stage, as a deployment would). */
  unaddressed?: Example[];
}

export interface StageOutcome {
  state: MethodState;
  /** Fine-tunes launched at this stage. */
  retrains: number;
  /** Examples x epochs trained and the training wall time, for examples/s. */
  trainedExamples: number;
  trainSeconds: number;
  /** Gate verdicts of maintain's candidates (promoted or why not). */
  notes: string[];
  /** Training time of models reused from an earlier run (`--work`), which the stage's wall time
   * then adds back so reruns report what the method costs. */
  reusedSeconds: number;
}

export interface StageContext {
  kind: "classification" | "token";
  stage: number;
  /** The stage's logged inputs with feedback; ids are unique across stages. */
  feedback: Example[];
  recipe: Recipe;
  workDir: string;
  seed: number;
  onProgress: (e: ProgressEvent) => void;
  /** Pioneer's runs: their sets and budgets, and the worker, memory and registry they share. */
  maintain: { regression: Example[]; dev: Example[]; rounds: number; memoryDir: string; registryDir: string; resources?: RunResources; maxEpochs?: number };
}

/** The job spec of a scenario recipe for `examples` training examples (min_steps -> epochs). */
export function recipeSpec(recipe: Recipe, examples: number): Omit<JobSpecInput, "kind" | "train_path" | "out_dir"> {
  const { min_steps: minSteps, ...spec } = recipe;
  return { ...spec, epochs: minSteps ? epochsForMinSteps(examples, recipe.epochs, minSteps, recipe.batch_size ?? 32) : recipe.epochs };
}

async function retrain(ctx: StageContext, data: Example[], name: string): Promise<StageOutcome> {
  const path = join(ctx.workDir, `${name}.jsonl`);
  await writeExamplesJsonl(path, data);
  const result = await trainOnce({ kind: ctx.kind, train_path: path, out_dir: join(ctx.workDir, name), ...recipeSpec(ctx.recipe, data.length), seed: ctx.seed }, { onProgress: ctx.onProgress });
  const epochs = Number(result.metrics.epochs_run ?? ctx.recipe.epochs ?? 1);
  return {
    state: { modelDir: result.modelDir, data },
    retrains: 1,
    trainedExamples: data.length * epochs,
    trainSeconds: Number(result.metrics.wall_s ?? 0),
    notes: [],
    reusedSeconds: result.reused ? Number(result.metrics.wall_s ?? 0) : 0,
  };
}

/** (b) every stage: retrain from the base model on everything so far, feedback taken as given. */
export async function naiveStage(state: MethodState, ctx: StageContext): Promise<StageOutcome> {
  return retrain(ctx, [...state.data, ...ctx.feedback], `naive-stage${ctx.stage}`);
}

/** (c) every stage: confident learning over everything so far, drop what it flags, retrain. */
export async function clFilterStage(state: MethodState, ctx: StageContext): Promise<StageOutcome> {
  const union = [...state.data, ...ctx.feedback];
  const path = join(ctx.workDir, `cl-stage${ctx.stage}-input.jsonl`);
  await writeExamplesJsonl(path, union);
  const issues = await findLabelIssues({ data_path: path, kind: ctx.kind, out_path: join(ctx.workDir, `cl-stage${ctx.stage}-issues.jsonl`), seed: ctx.seed });
  const flagged = new Set(issues.filter((i) => i.is_issue).map((i) => i.id));
  const outcome = await retrain(ctx, union.filter((e) => !flagged.has(e.id)), `cl-stage${ctx.stage}`);
  outcome.notes.push(`${flagged.size} of ${union.length} examples dropped`);
  return outcome;
}

/** Training data a promoted maintain run leaves for the next stage: what its model learnt. A full
 * data version (the whole cleaned pool) supersedes everything before it, its omissions being the
 * curator's drops; a replay-share version only adds to and relabels what came before it. The
 * regression anchors (maintain adds them again) and round-specific weights are left out. */
async function carriedData(previous: readonly Example[], chain: ReturnType<typeof learntDataVersions>, versions: readonly DataVersion[], kind: StageContext["kind"]): Promise<Example[]> {
  let byId = new Map<string, Example>(chain.fromDeployed ? previous.map((e) => [e.id, e]) : []);
  for (const hash of chain.hashes) {
    const version = versions.find((v) => v.hash === hash);
    if (!version) throw new Error(`data version ${hash} is not in the run state`);
    if (version.lineage.replay_share >= 1) byId = new Map();
    for (const e of (await readExamples(version.path, { kind })).examples) byId.set(e.id, e);
  }
  return [...byId.values()].filter((e) => !e.id.startsWith("regression/")).map(({ weight: _weight, ...e }) => e as Example);
}

/** What the stage's LLM decided and cost (method e). */
function llmNote(summary: Record<string, unknown> | undefined): string {
  const modes = (summary?.decisions_by_mode ?? {}) as Record<string, number>;
  const usage = (summary?.llm_usage ?? {}) as { calls?: number; tokens_in?: number; tokens_out?: number };
  return `LLM: ${modes.llm ?? 0} decisions, ${modes.fallback ?? 0} fallbacks, ${modes.rejected ?? 0} rejected; ${usage.calls ?? 0} calls, ${(usage.tokens_in ?? 0) + (usage.tokens_out ?? 0)} tokens`;
}

/** (d, e) every stage: `pioneer maintain` on the deployed model with the stage's feedback, plus
 * earlier feedback that no promoted data version took in; (e) with its agents deciding through the
 * configured LLM endpoint. */
export async function pioneerStage(state: MethodState, ctx: StageContext, llm: LlmMode): Promise<StageOutcome> {
  const dir = join(ctx.workDir, `pioneer-stage${ctx.stage}`);
  await mkdir(dir, { recursive: true });
  const files = { train: join(dir, "train.jsonl"), failures: join(dir, "feedback.jsonl"), regression: join(dir, "regression.jsonl"), dev: join(dir, "dev.jsonl") };
  await writeExamplesJsonl(files.train, state.data);
  const feedback = [...(state.unaddressed ?? []), ...ctx.feedback];
  await writeExamplesJsonl(files.failures, feedback);
  await writeExamplesJsonl(files.regression, ctx.maintain.regression);
  await writeExamplesJsonl(files.dev, ctx.maintain.dev);
  const runDir = join(dir, "run");
  const graph = compileMaintainGraph(openCheckpointer(join(dir, "checkpoints.sqlite")));
  const final = await graph.invoke(
    {
      input: MaintainInput.parse({
        model: state.modelDir,
        train_path: files.train,
        regression_path: files.regression,
        failures_path: files.failures,
        dev_path: files.dev,
        run_dir: runDir,
        registry_dir: ctx.maintain.registryDir,
        memory_dir: ctx.maintain.memoryDir,
        rounds: ctx.maintain.rounds,
        allow_new_labels: true,
        llm,
        seed: ctx.seed + ctx.stage,
        ...(ctx.maintain.maxEpochs ? { max_epochs: ctx.maintain.maxEpochs } : {}),
      }),
    },
    { configurable: { thread_id: `adaptation-stage${ctx.stage}`, resources: ctx.maintain.resources }, recursionLimit: 200 },
  );
  const candidates = final.candidates ?? [];
  const promoted = [...candidates].reverse().find((c) => c.promoted_id);
  let next: MethodState = { ...state, unaddressed: feedback };
  if (promoted) {
    next = { modelDir: promoted.model_dir, data: await carriedData(state.data, learntDataVersions(candidates, promoted.id), final.data_versions, ctx.kind) };
  }
  const trained = candidates.map((c) => ({ n: Number(c.train_metrics.train_examples ?? 0) * Number(c.train_metrics.epochs_run ?? 1), s: Number(c.train_metrics.wall_s ?? 0) }));
  return {
    state: next,
    retrains: candidates.length,
    trainedExamples: trained.reduce((s, t) => s + t.n, 0),
    trainSeconds: trained.reduce((s, t) => s + t.s, 0),
    notes: [
      ...candidates.map((c) => `${c.id}: ${c.promoted_id ? "promoted" : `kept parent (${c.verdict?.reasons[0] ?? "no verdict"})`}`),
      ...(llm === "endpoint" ? [llmNote(final.final_report?.summary)] : []),
    ],
    reusedSeconds: 0,
  };
}
