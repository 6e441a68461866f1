import { type LangGraphRunnableConfig, interrupt } from "@langchain/langgraph";
import { type TrainingApprovalRequest, howToAnswer, parseApprovalAnswer, reviewLine } from "../../run/approval.ts";
import { failpoint } from "../../lib/failpoint.ts";
import { ensureConfiguration } from "../../graph/configuration.ts";
import type { MaintainStateType, MaintainUpdate } from "../../graph/state.ts";
import { launchFineTune } from "../../tools/launch-fine-tune.ts";
import { readModelDir } from "../../trainer/model-dir.ts";
import { tuneOosFallback } from "../../run/oos-fallback.ts";
import { jobSpecOf } from "./policy.ts";

/** 4. train: launch the round's candidate fine-tune, as the round plan says, on the latest data version. */
export async function trainerNode(state: MaintainStateType, config?: LangGraphRunnableConfig): Promise<MaintainUpdate> {
  const { input, task, parent, next_plan: plan } = state;
  const data = state.data_versions.at(-1);
  if (!task || !parent || !data || !plan) throw new Error("trainer needs a round plan and a data version first");
  const { resources } = await ensureConfiguration(config, input);
  const { base_model } = await readModelDir(parent.dir);
  const spec = jobSpecOf(plan.training, {
    task,
    trainPath: data.path,
    outDir: resources.runFolder(input.run_dir, task.kind).modelDir(state.run_id, state.round),
    baseModel: base_model,
    parentDir: parent.dir,
    lastCandidateDir: state.candidates.at(-1)?.model_dir,
    seed: input.seed + state.round,
    threads: input.threads,
  });
  // A fine-tune over the cost limit waits for a person (examples x epochs: what the time scales with).
  if (input.approve_training_over !== undefined) {
    const examples = (await resources.runFolder(input.run_dir, task.kind).examples(data.path)).length;
    const epochs = plan.training.epochs;
    const cost = examples * epochs;
    if (cost > input.approve_training_over) {
      const request: TrainingApprovalRequest = {
        kind: "training",
        run_id: state.run_id,
        run_dir: input.run_dir,
        round: state.round,
        plan: { ...plan.training, band: plan.band, reason: plan.reason },
        examples,
        epochs,
        estimated_cost: cost,
        limit: input.approve_training_over,
        how_to_answer: howToAnswer(input.run_dir),
      };
      const review = { ...parseApprovalAnswer(interrupt(request)), at: new Date().toISOString() };
      if (!review.approved) {
        const why = reviewLine(`the fine-tune of round ${state.round} (${examples} examples x ${epochs} epochs)`, review);
        return { stop_reason: why, decisions: [{ agent: "trainer", round: state.round, at: review.at, decision: { trained: false, review, reason: why } }] };
      }
    }
  }
  const registered = await resources.registry.resolve(spec.out_dir).catch(() => null);
  if (registered) throw new Error(`${spec.out_dir} holds registered version ${registered.id}; a registered model directory is never rewritten`);
  let lastLog = 0;
  const result = await launchFineTune(spec, {
    onProgress: (e) => {
      failpoint("training");
      if (Date.now() - lastLog > 15_000 || e.step === e.total) {
        lastLog = Date.now();
        console.error(`[round ${state.round}] ${e.stage} ${e.step}/${e.total}${e.loss != null ? ` loss ${e.loss.toFixed(3)}` : ""}${e.eta_s != null ? ` eta ${Math.round(e.eta_s)}s` : ""}`);
      }
    },
  });
  const choice = plan.training;
  // The out-of-scope fallback is part of the candidate: tuned on the dev set (the production dev set
  // of a log) before the evaluator scores it.
  const oos = task.oos_label && state.files ? await tuneOosFallback(resources.server, result.modelDir, (await resources.runFolder(input.run_dir, task.kind).inputs(state.files)).dev, task.oos_label) : null;
  return {
    candidates: [{ id: `round-${state.round}`, round: state.round, data_hash: data.hash, strategy: choice.strategy, hyperparameters: { ...choice }, model_dir: result.modelDir, train_metrics: result.metrics }],
    decisions: [{ agent: "trainer", round: state.round, at: new Date().toISOString(), decision: { ...choice, band: plan.band, reason: plan.reason, wall_s: result.metrics.wall_s, ...(oos ? { oos_threshold: oos, oos_label: task.oos_label } : {}) } }],
  };
}
