import type { Example } from "../../data/index.ts";
import { predictedLabel } from "../../evals/types.ts";
import { goldOf, predictExamples, taskMetric } from "../../run/score-model.ts";
import type { TaskInfo } from "../../run/types.ts";
import type { WorkerServer } from "../../trainer/serve-client.ts";

/** A named set of examples a model must keep right (it got them all right when the set was made). */
export interface RegressionSet {
  name: string;
  examples: Example[];
}

export interface StageMeasurement {
  metric: number;
  /** Largest share of any regression set now wrong (0..1), and which set. */
  worstRegression: number;
  worstRegressionSet: string;
  /** Golden regression examples now wrong (the gate's flips). */
  flips: number;
  /** Ids of every measured example (evaluation and regression sets) the model gets right. */
  right: Set<string>;
}

/** The task metric on the evaluation set and the regressions on every regression set, from one
 * prediction pass (regression examples that are also evaluation examples are predicted once). The
 * first set is the golden one whose flips the gate counts. */
export async function measure(server: WorkerServer, modelDir: string, task: TaskInfo, evaluation: readonly Example[], regressionSets: readonly RegressionSet[]): Promise<StageMeasurement> {
  const evaluated = new Set(evaluation.map((e) => e.id));
  const extra = [...new Map(regressionSets.flatMap((s) => s.examples).filter((e) => !evaluated.has(e.id)).map((e) => [e.id, e])).values()];
  const all = [...evaluation, ...extra];
  const preds = await predictExamples(server, modelDir, all);
  const right = new Set(all.filter((e, i) => preds[i] !== undefined && predictedLabel(preds[i]) === goldOf(e)).map((e) => e.id));
  const metric = taskMetric(task, evaluation, preds.slice(0, evaluation.length)).value;
  let worstRegression = 0;
  let worstRegressionSet = "-";
  let flips = 0;
  for (const [i, set] of regressionSets.entries()) {
    if (set.examples.length === 0) continue;
    const wrong = set.examples.filter((e) => !right.has(e.id)).length;
    if (i === 0) flips = wrong;
    if (wrong / set.examples.length > worstRegression) {
      worstRegression = wrong / set.examples.length;
      worstRegressionSet = set.name;
    }
  }
  return { metric, worstRegression, worstRegressionSet, flips, right };
}
