import { describe, expect, it } from "vitest";
import { classificationMetrics } from "./classification-metrics.ts";

describe("classificationMetrics", () => {
  // gold: a a a b b c ; pred: a a b b d c   ("d" is predicted but never gold)
  // a: tp=2 pred=2 gold=3 -> P=1, R=2/3, F1=2*2/(3+2)=4/5
  // b: tp=1 pred=2 gold=2 -> P=1/2, R=1/2, F1=2/4=1/2
  // c: tp=1 pred=1 gold=1 -> 1, 1, 1
  // d: tp=0 pred=1 gold=0 -> P=0, R=0/0=0, F1=0
  const gold = ["a", "a", "a", "b", "b", "c"];
  const pred = ["a", "a", "b", "b", "d", "c"];

  it("computes accuracy and per-class precision/recall/f1/support", () => {
    const m = classificationMetrics(gold, pred);
    expect(m.n).toBe(6);
    expect(m.accuracy).toBeCloseTo(4 / 6, 12);
    expect(m.per_class.a!.precision).toBeCloseTo(1, 12);
    expect(m.per_class.a!.recall).toBeCloseTo(2 / 3, 12);
    expect(m.per_class.a!.f1).toBeCloseTo(4 / 5, 12);
    expect(m.per_class.a!.support).toBe(3);
    expect(m.per_class.b).toEqual({ precision: 0.5, recall: 0.5, f1: 0.5, support: 2 });
    expect(m.per_class.c).toEqual({ precision: 1, recall: 1, f1: 1, support: 1 });
    expect(m.per_class.d).toEqual({ precision: 0, recall: 0, f1: 0, support: 0 });
    expect(Object.keys(m.per_class)).toEqual(["a", "b", "c", "d"]);
  });

  it("averages macro-F1 over the union of gold and predicted labels (sklearn default)", () => {
    const m = classificationMetrics(gold, pred);
    // (4/5 + 1/2 + 1 + 0) / 4 = 23/40; a gold-only average would give (4/5 + 1/2 + 1) / 3 = 23/30.
    expect(m.macro_f1).toBeCloseTo(23 / 40, 12);
    // (3*4/5 + 2*1/2 + 1*1 + 0*0) / 6 = 4.4/6 = 11/15
    expect(m.weighted_f1).toBeCloseTo(11 / 15, 12);
  });

  it("uses 0 for undefined precision/recall (zero_division=0), never NaN", () => {
    // x: never predicted -> P = 0/0 = 0, R = 0/1 = 0, F1 = 0
    // y: tp=1 pred=2 gold=1 -> P=1/2, R=1, F1 = 2/3
    const m = classificationMetrics(["x", "y"], ["y", "y"]);
    expect(m.per_class.x).toEqual({ precision: 0, recall: 0, f1: 0, support: 1 });
    expect(m.per_class.y!.precision).toBeCloseTo(1 / 2, 12);
    expect(m.per_class.y!.recall).toBeCloseTo(1, 12);
    expect(m.per_class.y!.f1).toBeCloseTo(2 / 3, 12);
    expect(m.macro_f1).toBeCloseTo(1 / 3, 12);
    expect(m.weighted_f1).toBeCloseTo(1 / 3, 12);
    expect(m.accuracy).toBeCloseTo(1 / 2, 12);
  });

  it("computes oos recall, precision, support and in-scope accuracy", () => {
    // idx:  0    1    2    3  4    5    6
    // gold: oos  oos  oos  oos x   x    y
    // pred: oos  oos  oos  x   oos oos  y
    // oos: tp=3, gold=4 -> R=3/4; predicted oos=5 -> P=3/5
    // in scope = idx 4,5,6 -> only idx 6 right -> 1/3 (predicting oos there is wrong)
    const m = classificationMetrics(
      ["oos", "oos", "oos", "oos", "x", "x", "y"],
      ["oos", "oos", "oos", "x", "oos", "oos", "y"],
      { oosLabel: "oos" },
    );
    expect(m.oos).toBeDefined();
    expect(m.oos!.label).toBe("oos");
    expect(m.oos!.recall).toBeCloseTo(3 / 4, 12);
    expect(m.oos!.precision).toBeCloseTo(3 / 5, 12);
    expect(m.oos!.support).toBe(4);
    expect(m.oos!.in_scope_accuracy).toBeCloseTo(1 / 3, 12);
    expect(m.accuracy).toBeCloseTo(4 / 7, 12);
  });

  it("omits the oos block without an oosLabel, and handles an oos label that never occurs", () => {
    expect(classificationMetrics(["a"], ["a"]).oos).toBeUndefined();
    const m = classificationMetrics(["a", "b"], ["a", "a"], { oosLabel: "none" });
    expect(m.oos).toEqual({ label: "none", recall: 0, precision: 0, support: 0, in_scope_accuracy: 1 / 2 });
  });

  it("lists gold labels the model never saw, sorted, and scores them as errors without crashing", () => {
    const m = classificationMetrics(["z", "a", "c", "b", "z"], ["a", "a", "a", "b", "b"], {
      modelLabels: ["a", "b"],
    });
    expect(m.unseen_labels).toEqual(["c", "z"]);
    expect(m.per_class.z).toEqual({ precision: 0, recall: 0, f1: 0, support: 2 });
    expect(m.accuracy).toBeCloseTo(2 / 5, 12);
  });

  it("lists no unseen labels when modelLabels is not given", () => {
    expect(classificationMetrics(["q"], ["r"]).unseen_labels).toEqual([]);
  });

  it("orders confused pairs by count desc, then gold, then predicted", () => {
    // pairs in input order: c->a (1), c->b (2), b->a (2), a->c (2), a->b (2)
    const g = ["c", "c", "c", "b", "b", "a", "a", "a", "a"];
    const p = ["a", "b", "b", "a", "a", "c", "c", "b", "b"];
    const m = classificationMetrics(g, p);
    expect(m.confused_pairs).toEqual([
      { gold: "a", predicted: "b", count: 2 },
      { gold: "a", predicted: "c", count: 2 },
      { gold: "b", predicted: "a", count: 2 },
      { gold: "c", predicted: "b", count: 2 },
      { gold: "c", predicted: "a", count: 1 },
    ]);
    expect(classificationMetrics(g, p, { topConfusions: 2 }).confused_pairs).toEqual([
      { gold: "a", predicted: "b", count: 2 },
      { gold: "a", predicted: "c", count: 2 },
    ]);
  });

  it("keeps the top 10 confused pairs by default", () => {
    const g = Array.from({ length: 12 }, (_, i) => `g${String(i).padStart(2, "0")}`);
    const p = g.map((x) => `${x}-wrong`);
    const m = classificationMetrics(g, p);
    expect(m.confused_pairs).toHaveLength(10);
    expect(m.confused_pairs[0]).toEqual({ gold: "g00", predicted: "g00-wrong", count: 1 });
  });

  it("throws on length mismatch and on empty input", () => {
    expect(() => classificationMetrics(["a", "b"], ["a"])).toThrow(/2 entries but predicted has 1/);
    expect(() => classificationMetrics([], [])).toThrow(/no examples/);
    expect(() => classificationMetrics(["a"], ["a"], { topConfusions: -1 })).toThrow(/topConfusions/);
  });
});
