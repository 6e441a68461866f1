import type { JobSpecInput } from "../../trainer/job-spec.ts";
import type { TaskInfo } from "../../run/types.ts";
import type { TrainingChoice } from "./schema.ts";

/** The fine-tune job of a round's training choice. A rebuild starts from the deployed model's own
 * base model (`baseModel`), not the packaged default; a warm start inherits the base of the model it
 * starts from (the parent, or the last candidate for a repair). */
export function jobSpecOf(
  choice: TrainingChoice,
  r: { task: TaskInfo; trainPath: string; outDir: string; baseModel: string; parentDir: string; lastCandidateDir: string | undefined; seed: number; threads?: number | undefined },
): JobSpecInput {
  if (choice.init_from === "candidate" && !r.lastCandidateDir) throw new Error("a repair round needs an earlier candidate");
  return {
    kind: r.task.kind,
    train_path: r.trainPath,
    out_dir: r.outDir,
    model: r.baseModel,
    strategy: choice.strategy,
    epochs: choice.epochs,
    learning_rate: choice.learning_rate,
    ...(choice.batch_size ? { batch_size: choice.batch_size } : {}),
    labels: r.task.labels,
    seed: r.seed,
    ...(choice.init_from === "parent" ? { init_from: r.parentDir } : {}),
    ...(choice.init_from === "candidate" ? { init_from: r.lastCandidateDir } : {}),
    ...(choice.class_weights === "balanced" ? { class_weights: "balanced" as const } : {}),
    ...(r.task.oos_label ? { oos_label: r.task.oos_label } : {}),
    ...(r.threads ? { threads: r.threads } : {}),
  };
}
