import { join } from "node:path";
import { type Example, readExamples } from "../../data/index.ts";
import { regressionGate } from "../../evals/regression-gate.ts";
import { MaintainInput } from "../../graph/maintain-input.ts";
import { learntDataVersions } from "../../graph/learnt-data.ts";
import { getRunContext } from "../../graph/run-context.ts";
import { goldOf, readPredictions, scoreModel } from "../../graph/score-model.ts";
import type { MaintainStateType, MaintainUpdate, ModelScores } from "../../graph/state.ts";
import { readModelDir } from "../../trainer/model-dir.ts";
import { learntFrom } from "../../trainer/registry-manifest.ts";
import { combineVerdicts, systematicDropSupport } from "./combine-verdicts.ts";

export { combineVerdicts };

const DEV_MIN_CLASS_SUPPORT = 20;

/** One gate set: gold examples of `path` (those `keep` accepts) with both models' predictions,
 * read from `<predictions dir>/<scored>.jsonl` (the set's name in scoreModel). */
async function gateSet(
  name: string,
  scored: "dev" | "failures" | "regression" | "earlier-runs",
  path: string,
  kind: "classification" | "token",
  parentDir: string,
  candidateDir: string,
  keep: (e: Example) => boolean = () => true,
) {
  const gold: Example[] = (await readExamples(path, { kind })).examples.filter(keep);
  const parent = await readPredictions(join(parentDir, `${scored}.jsonl`));
  const candidate = await readPredictions(join(candidateDir, `${scored}.jsonl`));
  const labelsOf = (preds: Map<string, { label: string }>) => gold.map((g) => preds.get(g.id)?.label ?? "");
  return {
    name,
    ids: gold.map((g) => g.id),
    gold: gold.map(goldOf),
    parent: labelsOf(parent),
    candidate: labelsOf(candidate),
    // Token tasks: the class of a sentence is the entity types its gold tags contain.
    ...(kind === "token" ? { classOf: (g: string) => [...new Set(g.split(" ").filter((t) => t !== "O").map((t) => t.slice(2)))] } : {}),
  };
}

function flatScores(s: ModelScores): Record<string, number> {
  return {
    task: s.task,
    failures_accuracy: s.failures.accuracy,
    regression_accuracy: s.regression.accuracy,
    ...(s.earlier_runs ? { earlier_runs_accuracy: s.earlier_runs.accuracy } : {}),
  };
}

/** 5. evaluate + gate: score the candidate, gate it against the parent, promote it atomically or
 * keep the parent and record why; the experiment goes to memory either way. */
export async function evaluatorNode(state: MaintainStateType): Promise<MaintainUpdate> {
  const input = MaintainInput.parse(state.input);
  const { task, files, parent, diagnosis } = state;
  const candidate = state.candidates.at(-1);
  if (!task || !files || !parent || !candidate || candidate.scores) throw new Error("evaluator needs a fresh candidate");
  const context = await getRunContext(input);
  const predictionsDir = join(input.run_dir, "predictions", candidate.id);
  const scored = await scoreModel(context.server, candidate.model_dir, files, task, predictionsDir);

  // Failures of earlier stages (the `stage` field; all but the latest) are regression sets too:
  // what an earlier round fixed must stay fixed.
  const failures = (await readExamples(files.failures, { kind: task.kind })).examples;
  const stages = [...new Set(failures.map((f) => f.stage).filter((s): s is string => Boolean(s)))].sort();
  const earlier = new Set(stages.slice(0, -1));
  const sets = [await gateSet("regression", "regression", files.regression, task.kind, parent.predictions_dir, predictionsDir)];
  if (earlier.size > 0) {
    sets.push(await gateSet("earlier_stages", "failures", files.failures, task.kind, parent.predictions_dir, predictionsDir, (e) => earlier.has(e.stage ?? "")));
  }
  // What earlier runs on this lineage fixed must stay fixed too (their accepted failures, from
  // memory; the ids name the run).
  if (files.earlier_runs) {
    sets.push(await gateSet("earlier_runs", "earlier-runs", files.earlier_runs, task.kind, parent.predictions_dir, predictionsDir));
  }
  const regression = regressionGate({
    sets,
    epsilon: input.epsilon,
    delta: input.delta,
    minClassSupport: systematicDropSupport(input.delta),
    bootstrap: { seed: input.seed },
  });
  const dev = regressionGate({
    sets: [await gateSet("dev", "dev", files.dev, task.kind, parent.predictions_dir, predictionsDir)],
    epsilon: 1_000_000_000, // dev churn is measured by the task metric, not counted as flips
    delta: input.delta,
    // One example moves the recall of a 10-example class by 0.1: only well-supported dev classes
    // are checked (the regression set, where every flip counts, guards the rest).
    minClassSupport: DEV_MIN_CLASS_SUPPORT,
    bootstrap: { seed: input.seed },
  });
  const verdict = combineVerdicts(regression, dev, parent.scores, scored.scores, task.metric);

  let promotedId: string | null = null;
  let nextParent = parent;
  if (verdict.pass) {
    const model = await readModelDir(candidate.model_dir);
    const chain = learntDataVersions(state.candidates, candidate.id);
    const deployed = chain.fromDeployed && state.baseline?.id ? learntFrom(await context.registry.get(state.baseline.id)) : [];
    const manifest = await context.registry.register({
      parent: parent.id,
      model_dir: candidate.model_dir,
      data_version: candidate.data_hash,
      learnt_from: [...deployed, ...chain.hashes],
      task_kind: task.kind,
      labels: model.labels,
      base_model: model.base_model,
      strategy: candidate.strategy,
      hyperparameters: candidate.hyperparameters,
      metrics: { ...scored.scores, train: candidate.train_metrics },
      notes: `maintain ${state.run_id} round ${candidate.round}: ${verdict.reasons[0] ?? ""}`,
    });
    await context.registry.promote(manifest.id);
    promotedId = manifest.id;
    nextParent = { id: manifest.id, dir: candidate.model_dir, scores: scored.scores, predictions_dir: predictionsDir };
  }

  const data = state.data_versions.find((d) => d.hash === candidate.data_hash);
  await context.memory.addExperiment({
    id: `${state.run_id}/${candidate.id}`,
    run_id: state.run_id,
    task: `${task.kind} over ${task.labels.length} labels`,
    parent_model: parent.id ?? parent.dir,
    candidate_model: promotedId ?? candidate.model_dir,
    strategy: candidate.strategy,
    hyperparameters: JSON.parse(JSON.stringify(candidate.hyperparameters)),
    data_delta: {
      added: data?.lineage.added ?? 0,
      removed: data?.lineage.removed ?? 0,
      relabeled: data?.lineage.relabeled ?? 0,
      why: data?.lineage.why.join("; ") ?? "",
    },
    failure_summary: diagnosis?.summary ?? "",
    metrics_before: flatScores(parent.scores),
    metrics_after: flatScores(scored.scores),
    gain: scored.scores.task - parent.scores.task,
    verdict: verdict.pass ? "promoted" : "rejected",
    reasons: verdict.reasons,
  });

  const evaluated = { ...candidate, scores: scored.scores, verdict, promoted_id: promotedId };
  return {
    candidates: [evaluated],
    parent: nextParent,
    round: state.round + 1,
    rounds_without_promotion: verdict.pass ? 0 : state.rounds_without_promotion + 1,
    decisions: [{ agent: "evaluator", round: state.round, at: new Date().toISOString(), decision: { candidate: candidate.id, pass: verdict.pass, promoted: promotedId, flips: verdict.flips.total, reasons: verdict.reasons, task_before: parent.scores.task, task_after: scored.scores.task } }],
  };
}
