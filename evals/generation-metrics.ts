import { type AnswerExtractor, extractAnswer, sameAnswer } from "./answers.ts";
import { pairedBootstrapDelta } from "./bootstrap.ts";

export interface GenerationMetrics {
  /** Share of outputs whose extracted answer is the gold answer. */
  exact_match: number;
  /** 95% bootstrap interval of exact_match. */
  exact_match_ci: [number, number];
  n: number;
  /** Outputs an answer could be read from at all. */
  answered: number;
  extractor: AnswerExtractor;
  /** Per example (in order): right or wrong, for flips, the regression gate and memory. */
  correct: boolean[];
}

/** Exact match of `outputs` against gold answers, after the task's answer extraction. */
export function generationMetrics(golds: readonly string[], outputs: readonly string[], extractor: AnswerExtractor): GenerationMetrics {
  if (golds.length !== outputs.length) throw new Error(`generationMetrics: ${golds.length} gold answers but ${outputs.length} outputs`);
  const correct = golds.map((g, i) => sameAnswer(outputs[i]!, g, extractor));
  const hits = correct.filter(Boolean).length;
  // Against a model that is never right, the paired interval of the change is the interval of the accuracy.
  const ci = golds.length ? pairedBootstrapDelta(correct.map(() => false), correct) : { low: 0, high: 0 };
  return {
    exact_match: golds.length ? hits / golds.length : 0,
    exact_match_ci: [ci.low, ci.high],
    n: golds.length,
    answered: outputs.filter((o) => extractAnswer(o, extractor) !== null).length,
    extractor,
    correct,
  };
}

export function formatGenerationReport(m: GenerationMetrics): string {
  const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
  return `exact match ${pct(m.exact_match)} (95% CI ${pct(m.exact_match_ci[0])}-${pct(m.exact_match_ci[1])}) on ${m.n} examples; an answer read from ${m.answered} outputs (extractor: ${m.extractor})`;
}
