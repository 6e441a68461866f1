/**
 * The q-quantile (q in [0, 1]) of ascending-sorted values, interpolating linearly between the two
 * nearest ranks (NumPy's default `method='linear'`): position q·(m−1), so q=0 is the minimum and
 * q=1 the maximum.
 */
export function percentile(sorted: ArrayLike<number>, q: number): number {
  const m = sorted.length;
  if (m === 0) throw new Error("percentile: no values");
  if (!(q >= 0 && q <= 1)) throw new Error(`percentile: q must be in [0, 1], got ${q}`);
  const pos = q * (m - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  return lo === hi ? a : a + (b - a) * (pos - lo);
}
