import type { ClassificationExample } from "../data/index.ts";
import type { ClassificationPrediction } from "../evals/types.ts";
import { selectPseudoLabels } from "./pseudo-labels.ts";
import type { TrafficMessage } from "./unlabeled.ts";

/** One self-training move of the curator: the student relabels the traffic; per label, the messages
 * it labels with the widest margin (`perLabel`, which grows round by round) join the pool when the
 * zero-shot teacher agrees. Messages already in the pool keep their label. */
export function selfTrainingPool(
  pool: readonly ClassificationExample[],
  traffic: readonly TrafficMessage[],
  student: ReadonlyMap<string, ClassificationPrediction>,
  zeroShot: ReadonlyMap<string, ClassificationPrediction>,
  options: { perLabel: number; round: number },
): { pool: ClassificationExample[]; added: ClassificationExample[] } {
  const inPool = new Set(pool.map((e) => e.id));
  const added = selectPseudoLabels(traffic, student, { perLabel: options.perLabel }).examples
    .filter((e) => !inPool.has(e.id) && zeroShot.get(e.id.replace(/^pseudo\//, ""))?.label === e.label)
    .map((e) => ({ ...e, stage: `self-training round ${options.round}: ${e.stage?.replace("zero-shot", "student") ?? ""}, the zero-shot model agrees` }));
  return { pool: [...pool, ...added], added };
}
