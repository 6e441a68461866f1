/** One answer of a classifier with an out-of-scope fallback: its score (a confidence, a similarity),
 * whether it is right when it falls back to out of scope (its gold is out of scope), and whether it is
 * right when it keeps its answer. */
export interface CutPoint {
  score: number;
  rightIfFallback: boolean;
  rightIfKept: boolean;
}

/** How many points are right when those scoring under `threshold` fall back. */
export function correctAt(points: readonly CutPoint[], threshold: number): number {
  return points.filter((x) => (x.score < threshold ? x.rightIfFallback : x.rightIfKept)).length;
}

/** The fallback threshold most accurate on the points: the middle of the best interval of cuts, so
 * the choice does not sit on one example's edge. Moving the threshold past a score changes only the
 * points with that score, so the cuts lie between two sorted scores (or beyond either end; `margin`
 * past them). */
export function bestCut(points: readonly CutPoint[], margin = 0.01): { threshold: number; correct: number } {
  if (points.length === 0) return { threshold: 0, correct: 0 };
  const sorted = [...new Set(points.map((x) => x.score))].sort((a, b) => a - b);
  const cuts = [sorted[0]! - margin, ...sorted.slice(1).map((s, i) => (s + sorted[i]!) / 2), sorted.at(-1)! + margin];
  let best = { correct: -1, from: 0, to: 0 };
  let previousWasBest = false;
  for (const t of cuts) {
    const correct = correctAt(points, t);
    if (correct > best.correct) best = { correct, from: t, to: t };
    else if (correct === best.correct && previousWasBest) best.to = t;
    previousWasBest = correct === best.correct && best.to === t;
  }
  return { threshold: (best.from + best.to) / 2, correct: best.correct };
}
