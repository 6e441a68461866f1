import { join } from "node:path";
import { MaintainInput } from "../../graph/maintain-input.ts";
import type { MaintainStateType, MaintainUpdate } from "../../graph/state.ts";
import { launchFineTune } from "../../tools/launch-fine-tune.ts";
import { readModelDir } from "../../trainer/model-dir.ts";
import { RoundPlan } from "./schema.ts";

function lastCandidateDir(state: MaintainStateType): string {
  const last = state.candidates.at(-1);
  if (!last) throw new Error("a repair round needs an earlier candidate");
  return last.model_dir;
}

/** 4. train: launch the round's candidate fine-tune on the latest data version. */
export async function trainerNode(state: MaintainStateType): Promise<MaintainUpdate> {
  const input = MaintainInput.parse(state.input);
  const { task, parent } = state;
  const data = state.data_versions.at(-1);
  if (!task || !parent || !data) throw new Error("trainer needs a data version first");
  const plan = RoundPlan.parse(state.next_plan);
  const choice = plan.training;
  const modelDir = join(input.run_dir, "models", `round-${state.round}`);
  // A rebuild starts from the deployed model's own base model, not the packaged default (warm starts
  // inherit it from the model they start from).
  const { base_model } = await readModelDir(parent.dir);
  let lastLog = 0;
  const result = await launchFineTune(
    {
      kind: task.kind,
      train_path: data.path,
      out_dir: modelDir,
      model: base_model,
      strategy: choice.strategy,
      epochs: choice.epochs,
      learning_rate: choice.learning_rate,
      ...(choice.batch_size ? { batch_size: choice.batch_size } : {}),
      labels: task.labels,
      seed: input.seed + state.round,
      ...(choice.init_from === "parent" ? { init_from: parent.dir } : {}),
      ...(choice.init_from === "candidate" ? { init_from: lastCandidateDir(state) } : {}),
      ...(choice.class_weights === "balanced" ? { class_weights: "balanced" as const } : {}),
      ...(task.oos_label ? { oos_label: task.oos_label } : {}),
      ...(input.threads ? { threads: input.threads } : {}),
    },
    {
      onProgress: (e) => {
        if (Date.now() - lastLog > 15_000 || e.step === e.total) {
          lastLog = Date.now();
          console.error(`[round ${state.round}] ${e.stage} ${e.step}/${e.total}${e.loss != null ? ` loss ${e.loss.toFixed(3)}` : ""}${e.eta_s != null ? ` eta ${Math.round(e.eta_s)}s` : ""}`);
        }
      },
    },
  );
  return {
    candidates: [
      {
        id: `round-${state.round}`,
        round: state.round,
        data_hash: data.hash,
        strategy: choice.strategy,
        hyperparameters: { ...choice },
        model_dir: result.modelDir,
        train_metrics: result.metrics,
      },
    ],
    decisions: [{ agent: "trainer", round: state.round, at: new Date().toISOString(), decision: { ...plan.training, band: plan.band, reason: plan.reason, wall_s: result.metrics.wall_s } }],
  };
}
