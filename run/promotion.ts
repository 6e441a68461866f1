import { failpoint } from "../lib/failpoint.ts";
import { type Review, reviewLine } from "./approval.ts";
import type { GateVerdict } from "../evals/regression-gate.ts";
import type { MemoryStore } from "../memory/index.ts";
import { exampleKindOf, modelDirHash, readModelDir } from "../trainer/model-dir.ts";
import type { ModelDirManifest } from "../trainer/model-dir.ts";
import { learntFrom } from "../trainer/registry-manifest.ts";
import type { ModelRegistry } from "../trainer/registry.ts";
import { learntDataVersions } from "./learnt-data.ts";
import type { Candidate, DataVersion, ModelScores, ParentModel, TaskInfo } from "./types.ts";

/** Registers a deployed model given as a directory, so every candidate has a parent in the lineage;
 * it becomes the promoted version only if the registry has none yet. `recorded` adds to what the
 * version records of how it was trained (a generation model's task in words). Returns its version id. */
export async function registerDeployed(registry: ModelRegistry, modelDir: string, model: ModelDirManifest, dataVersion: string, recorded: Record<string, unknown> = {}): Promise<string> {
  const manifest = await registry.register({
    parent: null,
    model_dir: modelDir,
    data_version: dataVersion,
    task_kind: model.kind,
    labels: model.labels,
    base_model: model.base_model,
    strategy: model.strategy,
    hyperparameters: { ...model.config, ...recorded },
    metrics: model.metrics,
    notes: "registered by maintain as the deployed model",
  });
  if ((await registry.promoted()) === null) await registry.promote(manifest.id);
  return manifest.id;
}

export interface Promotion {
  runId: string;
  parent: ParentModel;
  /** The run's deployed model: a candidate that warm-started from it learnt its data first. */
  deployedId: string | null;
  candidate: Candidate;
  /** Every candidate of the run so far, for the chain of data versions the weights learnt. */
  candidates: readonly Candidate[];
  scores: ModelScores;
  verdict: GateVerdict;
}

/** Registers a candidate the gate passed as the parent's child and moves the promoted pointer to it,
 * only from the parent (the model it was gated against); returns the new version id.
 *
 * The registered version is the run's record of intent, written before the pointer moves: it names
 * the run, the round and the content hash of the gated directory. Both steps are idempotent, so a
 * promotion repeated after a crash between them, or after the pointer moved, is recognised and not
 * made twice; one the pointer's history already holds is never made again, even if someone rolled
 * it back since. A PromotedVersionChangedError says someone else moved the pointer. */
export async function promoteCandidate(registry: ModelRegistry, p: Promotion): Promise<string> {
  const model = await readModelDir(p.candidate.model_dir);
  const chain = learntDataVersions(p.candidates, p.candidate.id);
  const deployed = chain.fromDeployed && p.deployedId ? learntFrom(await registry.get(p.deployedId)) : [];
  const manifest = await registry.register({
    parent: p.parent.id,
    model_dir: p.candidate.model_dir,
    data_version: p.candidate.data_hash,
    learnt_from: [...deployed, ...chain.hashes],
    content_hash: await modelDirHash(p.candidate.model_dir),
    task_kind: exampleKindOf(model, "maintenance"),
    labels: model.labels,
    base_model: model.base_model,
    strategy: p.candidate.strategy,
    hyperparameters: p.candidate.hyperparameters,
    metrics: { ...p.scores, train: p.candidate.train_metrics },
    notes: `maintain ${p.runId} round ${p.candidate.round}: ${p.verdict.reasons[0] ?? ""}`,
  });
  failpoint("registered");
  const { history } = await registry.pointer();
  if (history.some((h) => h.id === manifest.id && h.action === "promote")) return manifest.id;
  await registry.promote(manifest.id, { ifCurrent: p.parent.id });
  return manifest.id;
}

function flatScores(s: ModelScores): Record<string, number> {
  return {
    task: s.task,
    failures_accuracy: s.failures.accuracy,
    regression_accuracy: s.regression.accuracy,
    ...(s.earlier_runs ? { earlier_runs_accuracy: s.earlier_runs.accuracy } : {}),
  };
}

/** Design step 6, remember: the experiment (strategy, data delta, metrics, verdict) goes to memory,
 * promoted or not, so later runs on similar failures start from what worked. */
export async function rememberExperiment(
  memory: MemoryStore,
  e: { runId: string; task: TaskInfo; parent: ParentModel; candidate: Candidate; data: DataVersion | undefined; failureSummary: string; scores: ModelScores; verdict: GateVerdict; promotedId: string | null; review?: Review | null },
): Promise<void> {
  await memory.addExperiment({
    id: `${e.runId}/${e.candidate.id}`,
    run_id: e.runId,
    task: `${e.task.kind} over ${e.task.labels.length} labels`,
    parent_model: e.parent.id ?? e.parent.dir,
    candidate_model: e.promotedId ?? e.candidate.model_dir,
    strategy: e.candidate.strategy,
    hyperparameters: JSON.parse(JSON.stringify(e.candidate.hyperparameters)),
    data_delta: {
      added: e.data?.lineage.added ?? 0,
      removed: e.data?.lineage.removed ?? 0,
      relabeled: e.data?.lineage.relabeled ?? 0,
      why: e.data?.lineage.why.join("; ") ?? "",
    },
    failure_summary: e.failureSummary,
    metrics_before: flatScores(e.parent.scores),
    metrics_after: flatScores(e.scores),
    gain: e.scores.task - e.parent.scores.task,
    // A candidate that passed the gate but was not promoted (a person rejected it, or the registry
    // moved on) is not a winner to start from.
    verdict: e.promotedId ? "promoted" : "rejected",
    reasons: e.review ? [...e.verdict.reasons, reviewLine("promotion", e.review)] : e.verdict.reasons,
  });
}
