import type { ClassificationExample } from "../data/index.ts";
import { bestCut, type CutPoint, correctAt } from "../evals/oos-cut.ts";
import type { ClassificationPrediction } from "../evals/types.ts";

/** The zero-shot model's logit is this times a cosine similarity (the worker's default). */
export const ZERO_SHOT_SCALE = 20;
/** Its out-of-scope threshold when there is no labeled out-of-scope example to choose one on. */
export const DEFAULT_OOS_SIMILARITY = 0.3;

/** The zero-shot model's logits are `scale` times cosine similarities and its out-of-scope row is the
 * constant `scale * threshold`, so each prediction's probabilities give back how similar the input
 * is to its nearest label: cos = threshold + ln(p_label / p_oos) / scale. */
export function nearestSimilarity(prediction: ClassificationPrediction, oosLabel: string, options: { scale: number; threshold: number }): { label: string; similarity: number } {
  const probs = Object.entries(prediction.probs ?? {}).filter(([label]) => label !== oosLabel);
  const [label, p] = probs.reduce((best, entry) => (entry[1] > best[1] ? entry : best), ["", -1] as [string, number]);
  // Probabilities come rounded to 6 decimals: a vanishing out-of-scope probability means "far above
  // any threshold", which a floor of half a unit of rounding keeps finite.
  const pOos = Math.max(prediction.probs?.[oosLabel] ?? 0, 5e-7);
  return { label, similarity: options.threshold + Math.log(Math.max(p, 5e-7) / pOos) / options.scale };
}

export interface OosThresholdChoice {
  threshold: number;
  /** Accuracy on the labeled examples with the old and the chosen threshold. */
  accuracy_before: number;
  accuracy_after: number;
  n: number;
  oos_examples: number;
}

/** The similarity threshold under which the zero-shot model says out-of-scope that is most accurate
 * on labeled examples (the middle of the best interval, so the choice does not sit on one example's
 * edge). Null when the examples hold no out-of-scope one: nothing to choose it on. */
export function chooseOosThreshold(
  examples: readonly ClassificationExample[],
  predictions: readonly ClassificationPrediction[],
  oosLabel: string,
  options: { scale: number; threshold: number },
): OosThresholdChoice | null {
  const byId = new Map(predictions.map((p) => [p.id, p]));
  const points: CutPoint[] = examples.flatMap((e) => {
    const p = byId.get(e.id);
    if (!p) return [];
    const nearest = nearestSimilarity(p, oosLabel, options);
    return [{ score: nearest.similarity, rightIfFallback: e.label === oosLabel, rightIfKept: e.label === nearest.label }];
  });
  const oosCount = examples.filter((e) => byId.has(e.id) && e.label === oosLabel).length;
  if (oosCount === 0 || points.length === 0) return null;
  const threshold = Number(bestCut(points).threshold.toFixed(4));
  return { threshold, accuracy_before: correctAt(points, options.threshold) / points.length, accuracy_after: correctAt(points, threshold) / points.length, n: points.length, oos_examples: oosCount };
}
