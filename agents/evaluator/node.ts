import { type LangGraphRunnableConfig, interrupt } from "@langchain/langgraph";
import { failpoint } from "../../lib/failpoint.ts";
import { ensureConfiguration } from "../../graph/configuration.ts";
import type { MaintainStateType, MaintainUpdate } from "../../graph/state.ts";
import { type PromotionApprovalRequest, type Review, flipEvidence, howToAnswer, parseApprovalAnswer, reviewLine } from "../../run/approval.ts";
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
  // Each regression set with its gold and both models' predictions (for the gate and a reviewer).
  const evidence: Parameters<typeof flipEvidence>[1] = {};
  const addSet = async (name: string, gold: typeof regression, file: "failures" | "regression" | "earlier-runs") => {
    const [parentPreds, candidatePreds] = await both(file);
    evidence[name] = { gold, parent: parentPreds, candidate: candidatePreds };
  };
  await addSet("regression", regression, "regression");
  // Failures of earlier stages (the `stage` field; all but the latest) are regression sets too:
  // what an earlier round fixed must stay fixed; so is what earlier runs on this lineage fixed.
  const stages = [...new Set(failures.map((f) => f.stage).filter((s): s is string => Boolean(s)))].sort();
  const earlier = new Set(stages.slice(0, -1));
  if (earlier.size > 0) await addSet("earlier_stages", failures.filter((e) => earlier.has(e.stage ?? "")), "failures");
  if (earlierRuns.length > 0) await addSet("earlier_runs", earlierRuns, "earlier-runs");
  const regressionSets = Object.entries(evidence).map(([name, s]) => gateSet(name, task.kind, s.gold, s.parent, s.candidate));

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

  // A person approves the promotion when the run asks for it (the run waits, checkpointed; on
  // resume this node runs again up to here, rescoring the same candidate to the same verdict).
  let review: Review | null = null;
  if (verdict.pass && input.approve_promotion) {
    const data = state.data_versions.find((d) => d.hash === candidate.data_hash);
    const request: PromotionApprovalRequest = {
      kind: "promotion",
      run_id: state.run_id,
      run_dir: input.run_dir,
      round: state.round,
      candidate: candidate.id,
      parent: parent.id,
      metric: task.metric,
      before: parent.scores,
      after: scores,
      gate: verdict.reasons,
      flips: flipEvidence(verdict, evidence),
      data_changes: data?.lineage ?? null,
      how_to_answer: howToAnswer(input.run_dir),
    };
    review = { ...parseApprovalAnswer(interrupt(request)), at: new Date().toISOString() };
  }

  // Write: promotion (only over the model the candidate was gated against), memory, state.
  let promotedId: string | null = null;
  let stop: string | null = null;
  if (review && !review.approved) stop = reviewLine(`the promotion of ${candidate.id}`, review);
  else if (verdict.pass) {
    try {
      promotedId = await promoteCandidate(resources.registry, { runId: state.run_id, parent, deployedId: state.baseline?.id ?? null, candidate, candidates: state.candidates, scores, verdict });
      failpoint("promoted");
    } catch (err) {
      if (!(err instanceof PromotedVersionChangedError)) throw err;
      stop = `the candidate passed the gate against ${parent.id}, but the registry's promoted version is now ${err.current ?? "none"}: nothing promoted; run maintain again on the promoted version`;
    }
  }
  await rememberExperiment(resources.memory, { runId: state.run_id, task, parent, candidate, data: state.data_versions.find((d) => d.hash === candidate.data_hash), failureSummary: diagnosis?.summary ?? "", scores, verdict, promotedId, review });
  failpoint("remembered");
  return {
    candidates: [{ ...candidate, scores, verdict, promoted_id: promotedId, ...(review ? { review } : {}) }],
    parent: promotedId ? { id: promotedId, dir: candidate.model_dir, scores, predictions_dir: predictionsDir } : parent,
    round: state.round + 1,
    rounds_without_promotion: promotedId ? 0 : state.rounds_without_promotion + 1,
    ...(stop ? { stop_reason: stop } : {}),
    decisions: [{ agent: "evaluator", round: state.round, at: new Date().toISOString(), decision: { candidate: candidate.id, pass: verdict.pass, failed: verdict.failed, promoted: promotedId, ...(stop ? { not_promoted: stop } : {}), ...(review ? { review } : {}), flips: verdict.flips.total, reasons: verdict.reasons, task_before: parent.scores.task, task_after: scores.task } }],
  };
}
