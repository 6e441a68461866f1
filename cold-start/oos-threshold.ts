import type { ClassificationExample } from "../data/index.ts";
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
  const points = examples.flatMap((e) => {
    const p = byId.get(e.id);
    return p ? [{ gold: e.label, ...nearestSimilarity(p, oosLabel, options) }] : [];
  });
  const oosCount = points.filter((x) => x.gold === oosLabel).length;
  if (oosCount === 0 || points.length === 0) return null;
  const correctAt = (t: number) => points.filter((x) => (x.similarity < t ? x.gold === oosLabel : x.gold === x.label)).length;
  // Moving the threshold past a point flips only that point, so the best lies between two sorted
  // similarities (or beyond either end).
  const sorted = [...new Set(points.map((x) => x.similarity))].sort((a, b) => a - b);
  const cuts = [sorted[0]! - 0.01, ...sorted.slice(1).map((s, i) => (s + sorted[i]!) / 2), sorted.at(-1)! + 0.01];
  let best = { correct: -1, from: 0, to: 0 };
  let previousWasBest = false;
  for (const t of cuts) {
    const correct = correctAt(t);
    if (correct > best.correct) best = { correct, from: t, to: t };
    else if (correct === best.correct && previousWasBest) best.to = t;
    previousWasBest = correct === best.correct && best.to === t;
  }
  const threshold = Number(((best.from + best.to) / 2).toFixed(4));
  return { threshold, accuracy_before: correctAt(options.threshold) / points.length, accuracy_after: correctAt(threshold) / points.length, n: points.length, oos_examples: oosCount };
}
