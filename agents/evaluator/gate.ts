import type { Example } from "../../data/index.ts";
import { type GateSet, type GateVerdict, regressionGate } from "../../evals/regression-gate.ts";
import { type Prediction, predictedLabel } from "../../evals/types.ts";
import { goldOf } from "../../run/score-model.ts";
import type { ModelScores, TaskKind } from "../../run/types.ts";
import { combineVerdicts, systematicDropSupport } from "./combine-verdicts.ts";

const DEV_MIN_CLASS_SUPPORT = 20;

/** One gate set: gold examples with the parent's and the candidate's predictions of them. */
export function gateSet(name: string, kind: TaskKind, gold: readonly Example[], parent: ReadonlyMap<string, Prediction>, candidate: ReadonlyMap<string, Prediction>): GateSet<string> {
  const labelsOf = (preds: ReadonlyMap<string, Prediction>) => gold.map((g) => {
    const p = preds.get(g.id);
    return p ? predictedLabel(p) : "";
  });
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

/** The evaluator's decision: the regression sets within the flip and class-drop budgets, no
 * class drop or significant drop on dev, and a gain on dev. */
export function judgeCandidate(g: {
  regressionSets: GateSet<string>[];
  dev: GateSet<string>;
  parent: ModelScores;
  candidate: ModelScores;
  metric: string;
  options: { epsilon: number; delta: number; seed: number };
}): GateVerdict {
  const { epsilon, delta, seed } = g.options;
  const regression = regressionGate({ sets: g.regressionSets, epsilon, delta, minClassSupport: systematicDropSupport(delta), bootstrap: { seed } });
  const dev = regressionGate({
    sets: [g.dev],
    epsilon: 1_000_000_000, // dev churn is measured by the task metric, not counted as flips
    delta,
    // One example moves the recall of a 10-example class by 0.1: only well-supported dev classes
    // are checked (the regression set, where every flip counts, guards the rest).
    minClassSupport: DEV_MIN_CLASS_SUPPORT,
    bootstrap: { seed },
  });
  return combineVerdicts(regression, dev, g.parent, g.candidate, g.metric);
}
