import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { failpoint } from "../../lib/failpoint.ts";
import { ensureConfiguration } from "../../graph/configuration.ts";
import type { MaintainStateType, MaintainUpdate } from "../../graph/state.ts";
import { promoteCandidate, rememberExperiment } from "../../run/promotion.ts";
import { scoreModel } from "../../run/score-model.ts";
import { PromotedVersionChangedError } from "../../trainer/registry-errors.ts";
import { gateSet, judgeCandidate } from "./gate.ts";

/** 5. evaluate + gate: score the candidate, gate it against the parent, promote it or keep the
 * parent; the experiment goes to memory either way (6. remember). */
export async function evaluatorNode(state: MaintainStateType, config?: LangGraphRunnableConfig): Promise<MaintainUpdate> {
  const { input, task, files, parent, diagnosis } = state;
  const candidate = state.candidates.at(-1);
  if (!task || !files || !parent || !candidate || candidate.scores) throw new Error("evaluator needs a fresh candidate");
  const { resources } = await ensureConfiguration(config, input);
  const run = resources.runFolder(input.run_dir, task.kind);

  // Gather: the candidate's scores and both models' predictions on the gate's sets.
  const predictionsDir = run.predictionsDir(candidate.id);
  const scores = await scoreModel(resources.server, run, files, task, candidate.model_dir, predictionsDir);
  const { failures, regression, dev, earlierRuns } = await run.inputs(files);
  const both = async (set: "dev" | "failures" | "regression" | "earlier-runs") => [await run.predictions(parent.predictions_dir, set), await run.predictions(predictionsDir, set)] as const;
  const regressionSets = [gateSet("regression", task.kind, regression, ...(await both("regression")))];
  // Failures of earlier stages (the `stage` field; all but the latest) are regression sets too:
  // what an earlier round fixed must stay fixed; so is what earlier runs on this lineage fixed.
  const stages = [...new Set(failures.map((f) => f.stage).filter((s): s is string => Boolean(s)))].sort();
  const earlier = new Set(stages.slice(0, -1));
  if (earlier.size > 0) regressionSets.push(gateSet("earlier_stages", task.kind, failures.filter((e) => earlier.has(e.stage ?? "")), ...(await both("failures"))));
  if (earlierRuns.length > 0) regressionSets.push(gateSet("earlier_runs", task.kind, earlierRuns, ...(await both("earlier-runs"))));

  failpoint("evaluation");
  // Decide.
  const verdict = judgeCandidate({
    regressionSets,
    dev: gateSet("dev", task.kind, dev, ...(await both("dev"))),
    parent: parent.scores,
    candidate: scores,
    metric: task.metric,
    options: { epsilon: input.epsilon, delta: input.delta, seed: input.seed },
  });

  // Write: promotion (only over the model the candidate was gated against), memory, state.
  let promotedId: string | null = null;
  let stop: string | null = null;
  if (verdict.pass) {
    try {
      promotedId = await promoteCandidate(resources.registry, { runId: state.run_id, parent, deployedId: state.baseline?.id ?? null, candidate, candidates: state.candidates, scores, verdict });
      failpoint("promoted");
    } catch (err) {
      if (!(err instanceof PromotedVersionChangedError)) throw err;
      stop = `the candidate passed the gate against ${parent.id}, but the registry's promoted version is now ${err.current ?? "none"}: nothing promoted; run maintain again on the promoted version`;
    }
  }
  await rememberExperiment(resources.memory, { runId: state.run_id, task, parent, candidate, data: state.data_versions.find((d) => d.hash === candidate.data_hash), failureSummary: diagnosis?.summary ?? "", scores, verdict, promotedId });
  failpoint("remembered");
  return {
    candidates: [{ ...candidate, scores, verdict, promoted_id: promotedId }],
    parent: promotedId ? { id: promotedId, dir: candidate.model_dir, scores, predictions_dir: predictionsDir } : parent,
    round: state.round + 1,
    rounds_without_promotion: promotedId ? 0 : state.rounds_without_promotion + 1,
    ...(stop ? { stop_reason: stop } : {}),
    decisions: [{ agent: "evaluator", round: state.round, at: new Date().toISOString(), decision: { candidate: candidate.id, pass: verdict.pass, failed: verdict.failed, promoted: promotedId, ...(stop ? { not_promoted: stop } : {}), flips: verdict.flips.total, reasons: verdict.reasons, task_before: parent.scores.task, task_after: scores.task } }],
  };
}
