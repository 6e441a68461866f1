import { z } from "zod";
import { compareStrings } from "./compare-strings.ts";
import { ratio } from "./ratio.ts";

/** Precision, recall, F1 and support of one label (or one entity type). All in [0, 1]; higher is better. */
export const PerClassMetricsSchema = z.object({
  precision: z.number(),
  recall: z.number(),
  f1: z.number(),
  /** Number of gold examples (or gold entities) of this class. */
  support: z.number().int().nonnegative(),
});
export type PerClassMetrics = z.infer<typeof PerClassMetricsSchema>;

/** How often gold label `gold` was predicted as `predicted` (gold !== predicted). */
export const ConfusedPairSchema = z.object({
  gold: z.string(),
  predicted: z.string(),
  count: z.number().int().positive(),
});
export type ConfusedPair = z.infer<typeof ConfusedPairSchema>;

/** Out-of-scope block, present when an `oosLabel` was given. */
export const OosMetricsSchema = z.object({
  label: z.string(),
  /** tp(oos) / #gold oos: share of out-of-scope inputs the model refused. Higher is better. */
  recall: z.number(),
  /** tp(oos) / #predicted oos: share of refusals that were right to refuse. Higher is better. */
  precision: z.number(),
  support: z.number().int().nonnegative(),
  /** Accuracy over examples whose gold is not the oos label (predicting oos there is an error). Higher is better. */
  in_scope_accuracy: z.number(),
});
export type OosMetrics = z.infer<typeof OosMetricsSchema>;

export const ClassificationMetricsSchema = z.object({
  n: z.number().int().positive(),
  accuracy: z.number(),
  macro_f1: z.number(),
  weighted_f1: z.number(),
  per_class: z.record(z.string(), PerClassMetricsSchema),
  confused_pairs: z.array(ConfusedPairSchema),
  unseen_labels: z.array(z.string()),
  oos: OosMetricsSchema.optional(),
});
export type ClassificationMetrics = z.infer<typeof ClassificationMetricsSchema>;

export interface ClassificationMetricsOptions {
  /** The label meaning "out of scope / none of the above"; adds the `oos` block. */
  oosLabel?: string;
  /** Labels the model was trained on; gold labels outside it are listed in `unseen_labels`. */
  modelLabels?: readonly string[];
  /** How many confused pairs to keep (default 10). */
  topConfusions?: number;
}

const DEFAULT_TOP_CONFUSIONS = 10;

/**
 * Single-label classification metrics from parallel arrays of gold and predicted labels.
 *
 * - accuracy = #(gold === predicted) / n. Higher is better.
 * - per class c: precision = tp / #predicted c, recall = tp / #gold c,
 *   f1 = 2·tp / (#gold c + #predicted c) (= harmonic mean of precision and recall). Higher is better.
 * - macro_f1 = mean of f1 over the union of labels seen in gold and in predicted (scikit-learn's
 *   default `labels`), so a label the model predicts but that never occurs in gold counts as an f1 of 0.
 *   Higher is better.
 * - weighted_f1 = Σ f1_c · support_c / n (labels absent from gold weigh 0). Higher is better.
 * - Every 0/0 is 0 (scikit-learn `zero_division=0`).
 *
 * A gold label the model never saw is not special-cased: it can only be mispredicted, so it lowers
 * the scores, and it is listed in `unseen_labels` when `modelLabels` is given.
 */
export function classificationMetrics(
  labels: readonly string[],
  predicted: readonly string[],
  opts: ClassificationMetricsOptions = {},
): ClassificationMetrics {
  if (labels.length !== predicted.length) {
    throw new Error(
      `classificationMetrics: labels has ${labels.length} entries but predicted has ${predicted.length}; they must be parallel arrays of the same length`,
    );
  }
  if (labels.length === 0) {
    throw new Error("classificationMetrics: no examples (labels and predicted are empty)");
  }
  const top = opts.topConfusions ?? DEFAULT_TOP_CONFUSIONS;
  if (!Number.isInteger(top) || top < 0) {
    throw new Error(`classificationMetrics: topConfusions must be a non-negative integer, got ${top}`);
  }

  const n = labels.length;
  const goldCount = new Map<string, number>();
  const predCount = new Map<string, number>();
  const truePos = new Map<string, number>();
  const confusions = new Map<string, ConfusedPair>();
  let correct = 0;

  for (let i = 0; i < n; i++) {
    const gold = labels[i]!;
    const pred = predicted[i]!;
    increment(goldCount, gold);
    increment(predCount, pred);
    if (gold === pred) {
      correct++;
      increment(truePos, gold);
    } else {
      const key = JSON.stringify([gold, pred]);
      const pair = confusions.get(key);
      if (pair) pair.count++;
      else confusions.set(key, { gold, predicted: pred, count: 1 });
    }
  }

  const allLabels = [...new Set([...goldCount.keys(), ...predCount.keys()])].sort(compareStrings);
  const perClass: [string, PerClassMetrics][] = allLabels.map((label) => {
    const tp = truePos.get(label) ?? 0;
    const g = goldCount.get(label) ?? 0;
    const p = predCount.get(label) ?? 0;
    return [label, { precision: ratio(tp, p), recall: ratio(tp, g), f1: ratio(2 * tp, g + p), support: g }];
  });

  let f1Sum = 0;
  let weightedSum = 0;
  for (const [, m] of perClass) {
    f1Sum += m.f1;
    weightedSum += m.f1 * m.support;
  }

  const confused_pairs = [...confusions.values()]
    .sort((a, b) => b.count - a.count || compareStrings(a.gold, b.gold) || compareStrings(a.predicted, b.predicted))
    .slice(0, top);

  const known = opts.modelLabels ? new Set(opts.modelLabels) : undefined;
  const unseen_labels = known ? [...goldCount.keys()].filter((l) => !known.has(l)).sort(compareStrings) : [];

  const result: ClassificationMetrics = {
    n,
    accuracy: correct / n,
    macro_f1: ratio(f1Sum, allLabels.length),
    weighted_f1: weightedSum / n,
    per_class: Object.fromEntries(perClass),
    confused_pairs,
    unseen_labels,
  };

  if (opts.oosLabel !== undefined) {
    const oos = opts.oosLabel;
    let inScope = 0;
    let inScopeCorrect = 0;
    for (let i = 0; i < n; i++) {
      if (labels[i] === oos) continue;
      inScope++;
      if (predicted[i] === labels[i]) inScopeCorrect++;
    }
    const tp = truePos.get(oos) ?? 0;
    result.oos = {
      label: oos,
      recall: ratio(tp, goldCount.get(oos) ?? 0),
      precision: ratio(tp, predCount.get(oos) ?? 0),
      support: goldCount.get(oos) ?? 0,
      in_scope_accuracy: ratio(inScopeCorrect, inScope),
    };
  }
  return result;
}

function increment(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}
