import type { Example } from "../../data/index.ts";
import { goldOf, predictExamples, taskMetric } from "../../graph/score-model.ts";
import type { TaskInfo } from "../../graph/state.ts";
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
}

/** Ids of the examples the model gets right. */
export async function rightIds(server: WorkerServer, modelDir: string, examples: readonly Example[]): Promise<Set<string>> {
  const preds = await predictExamples(server, modelDir, examples);
  return new Set(examples.filter((e, i) => preds[i]?.label === goldOf(e)).map((e) => e.id));
}

/** The task metric on the evaluation set and the regressions on every regression set. The first set
 * is the golden one whose flips the gate counts. */
export async function measure(server: WorkerServer, modelDir: string, task: TaskInfo, evaluation: readonly Example[], regressionSets: readonly RegressionSet[]): Promise<StageMeasurement> {
  const preds = await predictExamples(server, modelDir, evaluation);
  const metric = taskMetric(task, evaluation, preds).value;
  let worstRegression = 0;
  let worstRegressionSet = "-";
  let flips = 0;
  for (const [i, set] of regressionSets.entries()) {
    if (set.examples.length === 0) continue;
    const right = await rightIds(server, modelDir, set.examples);
    const wrong = set.examples.length - right.size;
    if (i === 0) flips = wrong;
    if (wrong / set.examples.length > worstRegression) {
      worstRegression = wrong / set.examples.length;
      worstRegressionSet = set.name;
    }
  }
  return { metric, worstRegression, worstRegressionSet, flips };
}
