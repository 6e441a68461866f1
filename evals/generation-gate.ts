import type { GenerationExample } from "../data/index.ts";
import { type AnswerExtractor, sameAnswer } from "./answers.ts";
import type { GateSet } from "./regression-gate.ts";

/**
 * A gate set of generation outputs: gold targets with the parent's and the candidate's outputs,
 * right when the extracted answers agree, so that flips, the flip budget and the paired bootstrap
 * of the regression gate judge a generation model exactly as they judge the other kinds. Questions
 * have no class: the per-class recall check does not apply (the flip budget and the significant-drop
 * check do). A question a model left unanswered counts as wrong.
 */
export function generationGateSet(
  name: string,
  gold: readonly GenerationExample[],
  parent: ReadonlyMap<string, string>,
  candidate: ReadonlyMap<string, string>,
  extractor: AnswerExtractor,
): GateSet<string> {
  return {
    name,
    ids: gold.map((g) => g.id),
    gold: gold.map((g) => g.target),
    parent: gold.map((g) => parent.get(g.id) ?? ""),
    candidate: gold.map((g) => candidate.get(g.id) ?? ""),
    classOf: () => [],
    isCorrect: (target, output) => sameAnswer(output, target, extractor),
  };
}
