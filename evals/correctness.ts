/** Decides whether one prediction is right for one gold value. */
export type IsCorrect<T> = (gold: T, pred: T) => boolean;

/**
 * Default correctness: strict equality for strings (and other primitives); for arrays, equal length
 * and element-wise strict equality. For token tags this makes a sentence right only when its whole
 * tag sequence matches.
 */
export function defaultIsCorrect(gold: unknown, pred: unknown): boolean {
  if (Array.isArray(gold) && Array.isArray(pred)) {
    return gold.length === pred.length && gold.every((g, i) => g === pred[i]);
  }
  return gold === pred;
}

/** Per-example right/wrong flags of `preds` against `gold` (parallel arrays of the same length). */
export function correctness<T>(gold: readonly T[], preds: readonly T[], isCorrect: IsCorrect<T> = defaultIsCorrect): boolean[] {
  if (gold.length !== preds.length) {
    throw new Error(`correctness: gold has ${gold.length} entries but predictions have ${preds.length}`);
  }
  return gold.map((g, i) => isCorrect(g, preds[i]!));
}
