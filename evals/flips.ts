import { z } from "zod";
import { correctness, defaultIsCorrect, type IsCorrect } from "./correctness.ts";

export const FlipResultSchema = z.object({
  n: z.number().int().positive(),
  /** Ids the parent got right and the candidate gets wrong (regressions). Fewer is better. */
  right_to_wrong: z.array(z.string()),
  /** Ids the parent got wrong and the candidate gets right (fixes). */
  wrong_to_right: z.array(z.string()),
  both_right: z.number().int().nonnegative(),
  both_wrong: z.number().int().nonnegative(),
  /** (both_right + right_to_wrong) / n. Higher is better. */
  parent_accuracy: z.number(),
  /** (both_right + wrong_to_right) / n. Higher is better. */
  candidate_accuracy: z.number(),
});
export type FlipResult = z.infer<typeof FlipResultSchema>;

export interface FlipInput<T> {
  ids: readonly string[];
  gold: readonly T[];
  parent: readonly T[];
  candidate: readonly T[];
  /** Defaults to `defaultIsCorrect` (strict equality; element-wise for arrays such as tag sequences). */
  isCorrect?: IsCorrect<T>;
}

/**
 * Example-level comparison of a parent model and a candidate on the same gold set: which examples
 * flipped from right to wrong (regressions) and from wrong to right (fixes). Ids keep input order.
 */
export function flipAnalysis<T>(input: FlipInput<T>): FlipResult {
  const { ids, gold, parent, candidate } = input;
  const n = ids.length;
  if (gold.length !== n || parent.length !== n || candidate.length !== n) {
    throw new Error(
      `flipAnalysis: ids, gold, parent and candidate must have the same length (got ${n}, ${gold.length}, ${parent.length}, ${candidate.length})`,
    );
  }
  if (n === 0) throw new Error("flipAnalysis: no examples");
  assertUniqueIds(ids, "flipAnalysis");

  const isCorrect = input.isCorrect ?? defaultIsCorrect;
  return flipsFromCorrectness(ids, correctness(gold, parent, isCorrect), correctness(gold, candidate, isCorrect));
}

/** `flipAnalysis` from precomputed per-example right/wrong flags (parallel to `ids`). */
export function flipsFromCorrectness(
  ids: readonly string[],
  parentRight: readonly boolean[],
  candidateRight: readonly boolean[],
): FlipResult {
  const n = ids.length;
  if (parentRight.length !== n || candidateRight.length !== n) {
    throw new Error(
      `flipsFromCorrectness: ids, parentRight and candidateRight must have the same length (got ${n}, ${parentRight.length}, ${candidateRight.length})`,
    );
  }
  if (n === 0) throw new Error("flipsFromCorrectness: no examples");
  const right_to_wrong: string[] = [];
  const wrong_to_right: string[] = [];
  let both_right = 0;
  let both_wrong = 0;
  for (let i = 0; i < n; i++) {
    const p = parentRight[i]!;
    const c = candidateRight[i]!;
    if (p && c) both_right++;
    else if (!p && !c) both_wrong++;
    else if (p) right_to_wrong.push(ids[i]!);
    else wrong_to_right.push(ids[i]!);
  }
  return {
    n,
    right_to_wrong,
    wrong_to_right,
    both_right,
    both_wrong,
    parent_accuracy: (both_right + right_to_wrong.length) / n,
    candidate_accuracy: (both_right + wrong_to_right.length) / n,
  };
}

/** Throws when an id appears twice: flip lists would be ambiguous. */
export function assertUniqueIds(ids: readonly string[], where: string): void {
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) throw new Error(`${where}: duplicate id ${JSON.stringify(id)}`);
    seen.add(id);
  }
}
