/**
 * `numerator / denominator`, or 0 when the denominator is 0.
 *
 * This is scikit-learn's `zero_division=0` convention, used by every metric in evals/: a precision
 * with no predictions, a recall with no gold examples, an accuracy over an empty slice are all 0,
 * never NaN, so they can be averaged, compared and serialised as JSON.
 */
export function ratio(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}
