import { z } from "zod";
import { BootstrapOptionsSchema, pairedBootstrapDelta } from "./bootstrap.ts";
import { compareStrings } from "./compare-strings.ts";
import { correctness, defaultIsCorrect, type IsCorrect } from "./correctness.ts";
import { entityTypesOf } from "./entity-metrics.ts";
import { assertUniqueIds, flipsFromCorrectness } from "./flips.ts";
import { fixed, percent, signed } from "./format-number.ts";

/** One evaluation set scored by both models. Arrays are parallel. */
export interface GateSet<T> {
  name: string;
  ids: readonly string[];
  gold: readonly T[];
  parent: readonly T[];
  candidate: readonly T[];
  /**
   * Classes an example belongs to, for the per-class recall check. Default: the gold label itself for
   * string gold; the entity types present in the gold sequence (strict IOB2) for tag-sequence gold.
   */
  classOf?: (gold: T) => readonly string[];
  /** Defaults to strict equality (element-wise for tag sequences: the whole sentence must match). */
  isCorrect?: IsCorrect<T>;
}

export const GateOptionsSchema = z.object({
  /** Budget of right-to-wrong flips summed over all sets (absolute count). */
  epsilon: z.number().min(0).default(2),
  /** Largest tolerated per-class recall drop (parent − candidate), in [0, 1]. */
  delta: z.number().min(0).max(1).default(0.1),
  /** Classes with fewer gold examples than this in a set are not checked for drops. */
  minClassSupport: z.number().int().min(0).default(5),
  bootstrap: BootstrapOptionsSchema.prefault({}),
});
export type GateOptions = z.input<typeof GateOptionsSchema>;

export type GateInput<T> = GateOptions & { sets: readonly GateSet<T>[] };

export const ClassDropSchema = z.object({
  set: z.string(),
  class: z.string(),
  parent_recall: z.number(),
  candidate_recall: z.number(),
  drop: z.number(),
  support: z.number().int().positive(),
});
export type ClassDrop = z.infer<typeof ClassDropSchema>;

/** Why a candidate failed, for code to branch on (the reasons say it for people): too many flips,
 * a class's recall dropped beyond delta, a significant drop of pooled accuracy, or (the maintenance
 * evaluator adds it) no gain on held-out data. */
export const GateFailureSchema = z.enum(["flips", "class_drop", "significant_drop", "no_gain"]);
export type GateFailure = z.infer<typeof GateFailureSchema>;

export const GateVerdictSchema = z.object({
  pass: z.boolean(),
  /** Every kind of violation, once each, in the order of the checks; empty when passing. */
  failed: z.array(GateFailureSchema),
  /** One human-readable line per violation; when passing, one line saying why. */
  reasons: z.array(z.string()),
  flips: z.object({
    total: z.number().int().nonnegative(),
    /** Right-to-wrong ids per set. */
    per_set: z.record(z.string(), z.array(z.string())),
  }),
  /** Only the violating drops, largest first. */
  class_drops: z.array(ClassDropSchema),
  /** Paired bootstrap CI of the pooled accuracy change (candidate − parent). */
  delta_ci: z.object({
    delta: z.number(),
    low: z.number(),
    high: z.number(),
    confidence: z.number(),
    samples: z.number().int().positive(),
  }),
  per_set: z.record(
    z.string(),
    z.object({ n: z.number().int().positive(), parent_accuracy: z.number(), candidate_accuracy: z.number() }),
  ),
  thresholds: z.object({ epsilon: z.number(), delta: z.number(), min_class_support: z.number() }),
});
export type GateVerdict = z.infer<typeof GateVerdictSchema>;

/** Recalls are ratios of small integers; this keeps a drop of exactly `delta` from failing on rounding. */
const DROP_TOLERANCE = 1e-9;
/** How many flip ids a reason line lists before summarising the rest. */
const MAX_IDS_IN_REASON = 20;

/**
 * The regression gate: may `candidate` replace `parent`?
 *
 * It fails on any of:
 * - flips: the number of examples right under the parent and wrong under the candidate, summed over
 *   all sets, exceeds `epsilon` (fewer is better);
 * - class drops: for a class with support >= `minClassSupport` in a set, recall (share of that
 *   class's examples predicted right) falls by more than `delta`: parent_recall − candidate_recall > delta;
 * - significant regression: the upper bound of the paired bootstrap CI of the accuracy change over
 *   all sets pooled (candidate − parent; higher is better) is below 0.
 */
export function regressionGate<T>(input: GateInput<T>): GateVerdict {
  const { sets } = input;
  const parsed = GateOptionsSchema.safeParse({
    epsilon: input.epsilon,
    delta: input.delta,
    minClassSupport: input.minClassSupport,
    bootstrap: input.bootstrap,
  });
  if (!parsed.success) throw new Error(`regressionGate: invalid options: ${z.prettifyError(parsed.error)}`);
  const opts = parsed.data;
  if (!Array.isArray(sets) || sets.length === 0) throw new Error("regressionGate: at least one set is required");

  const names = new Set<string>();
  const flipsPerSet: Record<string, string[]> = {};
  const perSet: GateVerdict["per_set"] = {};
  const drops: { order: number; drop: ClassDrop }[] = [];
  const pooledParent: boolean[] = [];
  const pooledCandidate: boolean[] = [];

  sets.forEach((set, order) => {
    const where = `regressionGate: set ${JSON.stringify(set.name)}`;
    if (!set.name) throw new Error(`regressionGate: set ${order} has an empty name`);
    if (names.has(set.name)) throw new Error(`${where}: duplicate set name`);
    names.add(set.name);
    const n = set.ids.length;
    if (set.gold.length !== n || set.parent.length !== n || set.candidate.length !== n) {
      throw new Error(
        `${where}: ids, gold, parent and candidate must have the same length (got ${n}, ${set.gold.length}, ${set.parent.length}, ${set.candidate.length})`,
      );
    }
    if (n === 0) throw new Error(`${where}: no examples`);
    assertUniqueIds(set.ids, where);

    const isCorrect = set.isCorrect ?? defaultIsCorrect;
    const parentRight = correctness(set.gold, set.parent, isCorrect);
    const candidateRight = correctness(set.gold, set.candidate, isCorrect);
    const flips = flipsFromCorrectness(set.ids, parentRight, candidateRight);
    flipsPerSet[set.name] = flips.right_to_wrong;
    perSet[set.name] = { n, parent_accuracy: flips.parent_accuracy, candidate_accuracy: flips.candidate_accuracy };
    pooledParent.push(...parentRight);
    pooledCandidate.push(...candidateRight);

    const classOf: (gold: T) => readonly string[] = set.classOf ?? ((gold: T) => defaultClassOf(gold, where));
    const stats = new Map<string, { support: number; parent: number; candidate: number }>();
    set.gold.forEach((gold: T, i: number) => {
      for (const cls of new Set<string>(classOf(gold))) {
        const s = stats.get(cls) ?? { support: 0, parent: 0, candidate: 0 };
        s.support++;
        if (parentRight[i]) s.parent++;
        if (candidateRight[i]) s.candidate++;
        stats.set(cls, s);
      }
    });
    for (const [cls, s] of stats) {
      if (s.support < opts.minClassSupport) continue;
      const parent_recall = s.parent / s.support;
      const candidate_recall = s.candidate / s.support;
      const drop = parent_recall - candidate_recall;
      if (drop > opts.delta + DROP_TOLERANCE) {
        drops.push({ order, drop: { set: set.name, class: cls, parent_recall, candidate_recall, drop, support: s.support } });
      }
    }
  });

  const class_drops = drops
    .sort((a, b) => b.drop.drop - a.drop.drop || a.order - b.order || compareStrings(a.drop.class, b.drop.class))
    .map((d) => d.drop);
  const ci = pairedBootstrapDelta(pooledParent, pooledCandidate, opts.bootstrap);
  const delta_ci = { delta: ci.delta, low: ci.low, high: ci.high, confidence: opts.bootstrap.confidence, samples: ci.samples };
  const totalFlips = Object.values(flipsPerSet).reduce((acc, ids) => acc + ids.length, 0);

  const reasons: string[] = [];
  const failed: GateFailure[] = [];
  if (totalFlips > opts.epsilon) {
    failed.push("flips");
    reasons.push(
      `${plural(totalFlips, "flip")} (right before, wrong now) exceed${totalFlips === 1 ? "s" : ""} the budget epsilon=${opts.epsilon}: ids ${listFlipIds(flipsPerSet, sets.length > 1)}`,
    );
  }
  if (class_drops.length > 0) failed.push("class_drop");
  for (const d of class_drops) {
    reasons.push(
      `recall of class ${JSON.stringify(d.class)} on set ${JSON.stringify(d.set)} fell from ${fixed(d.parent_recall)} to ${fixed(d.candidate_recall)} (drop ${fixed(d.drop)} > delta=${opts.delta}, support ${d.support})`,
    );
  }
  const ciText = `${percent(delta_ci.confidence)} CI [${signed(delta_ci.low)}, ${signed(delta_ci.high)}]`;
  if (delta_ci.high < 0) {
    failed.push("significant_drop");
    reasons.push(`accuracy change ${signed(delta_ci.delta)} is a significant regression: ${ciText} lies entirely below 0`);
  }
  const pass = reasons.length === 0;
  if (pass) {
    reasons.push(
      `passed: ${plural(totalFlips, "flip")} within the budget epsilon=${opts.epsilon}; no class recall dropped by more than delta=${opts.delta} (classes with support >= ${opts.minClassSupport}); accuracy change ${signed(delta_ci.delta)} with ${ciText} is not a significant regression`,
    );
  }

  return {
    pass,
    failed,
    reasons,
    flips: { total: totalFlips, per_set: flipsPerSet },
    class_drops,
    delta_ci,
    per_set: perSet,
    thresholds: { epsilon: opts.epsilon, delta: opts.delta, min_class_support: opts.minClassSupport },
  };
}

function defaultClassOf(gold: unknown, where: string): string[] {
  if (typeof gold === "string") return [gold];
  if (Array.isArray(gold) && gold.every((t) => typeof t === "string")) return entityTypesOf(gold);
  throw new Error(`${where}: gold values are neither labels nor tag sequences; pass classOf`);
}

function listFlipIds(perSet: Record<string, string[]>, qualify: boolean): string {
  const all = Object.entries(perSet).flatMap(([set, ids]) => ids.map((id) => (qualify ? `${set}/${id}` : id)));
  const shown = all.slice(0, MAX_IDS_IN_REASON).join(", ");
  return all.length > MAX_IDS_IN_REASON ? `${shown}, … (+${all.length - MAX_IDS_IN_REASON} more)` : shown;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}
