import { describe, expect, it } from "vitest";
import { entityTypesOf } from "./entity-metrics.ts";
import { type GateSet, regressionGate } from "./regression-gate.ts";

type Row = [id: string, gold: string, parent: string, candidate: string];

function set(name: string, rows: Row[]): GateSet<string> {
  return {
    name,
    ids: rows.map((r) => r[0]),
    gold: rows.map((r) => r[1]),
    parent: rows.map((r) => r[2]),
    candidate: rows.map((r) => r[3]),
  };
}

/** `count` examples of class `cls`, right under both models; ids `${prefix}${i}`. */
function stable(prefix: string, cls: string, count: number): Row[] {
  return Array.from({ length: count }, (_, i) => [`${prefix}${i}`, cls, cls, cls] as Row);
}
const r2w = (id: string, cls: string): Row => [id, cls, cls, "WRONG"];
const w2r = (id: string, cls: string): Row => [id, cls, "WRONG", cls];

describe("regressionGate: flip budget", () => {
  it("passes with 2 flips at epsilon 2 and says why", () => {
    // class a: 10 examples, a1 right->wrong, a2 wrong->right; class b likewise. Net change 0.
    const dev = set("dev", [
      r2w("a1", "a"),
      w2r("a2", "a"),
      ...stable("a_", "a", 8),
      r2w("b1", "b"),
      w2r("b2", "b"),
      ...stable("b_", "b", 8),
    ]);
    const v = regressionGate({ sets: [dev], epsilon: 2 });
    expect(v.pass).toBe(true);
    expect(v.flips).toEqual({ total: 2, per_set: { dev: ["a1", "b1"] } });
    expect(v.class_drops).toEqual([]);
    expect(v.reasons).toHaveLength(1);
    expect(v.reasons[0]).toMatch(/^passed: 2 flips within the budget epsilon=2/);
    expect(v.per_set).toEqual({ dev: { n: 20, parent_accuracy: 18 / 20, candidate_accuracy: 18 / 20 } });
    expect(v.delta_ci.delta).toBe(0);
    expect(v.delta_ci.low).toBeLessThan(0);
    expect(v.delta_ci.high).toBeGreaterThan(0);
    expect(v.thresholds).toEqual({ epsilon: 2, delta: 0.1, min_class_support: 5 });
  });

  it("fails with 3 flips at epsilon 2 and names the ids", () => {
    const dev = set("dev", [
      r2w("a1", "a"),
      w2r("a2", "a"),
      r2w("a3", "a"),
      ...stable("a_", "a", 17),
      r2w("b1", "b"),
      w2r("b2", "b"),
      w2r("b3", "b"),
      ...stable("b_", "b", 17),
    ]);
    const v = regressionGate({ sets: [dev], epsilon: 2 });
    expect(v.pass).toBe(false);
    expect(v.flips.total).toBe(3);
    expect(v.class_drops).toEqual([]);
    expect(v.reasons).toEqual(["3 flips (right before, wrong now) exceed the budget epsilon=2: ids a1, a3, b1"]);
  });

  it("sums flips over several sets (each within budget alone) and qualifies ids by set", () => {
    const dev = set("dev", [r2w("x1", "a"), r2w("x2", "a"), w2r("x3", "a"), w2r("x4", "a"), ...stable("d", "a", 16)]);
    const test = set("test", [r2w("x1", "a"), w2r("x2", "a"), ...stable("t", "a", 18)]);
    const opts = { epsilon: 2, delta: 1 };
    expect(regressionGate({ sets: [dev], ...opts }).pass).toBe(true);
    expect(regressionGate({ sets: [test], ...opts }).pass).toBe(true);
    const v = regressionGate({ sets: [dev, test], ...opts });
    expect(v.pass).toBe(false);
    expect(v.flips).toEqual({ total: 3, per_set: { dev: ["x1", "x2"], test: ["x1"] } });
    expect(v.reasons).toEqual(["3 flips (right before, wrong now) exceed the budget epsilon=2: ids dev/x1, dev/x2, test/x1"]);
    expect(v.per_set.test).toEqual({ n: 20, parent_accuracy: 19 / 20, candidate_accuracy: 19 / 20 });
  });

  it("caps the ids listed in a reason", () => {
    const rows = [
      ...Array.from({ length: 25 }, (_, i) => r2w(`f${i}`, "a")),
      ...Array.from({ length: 25 }, (_, i) => w2r(`g${i}`, "a")),
    ];
    const v = regressionGate({ sets: [set("dev", rows)], epsilon: 0, delta: 1 });
    expect(v.reasons[0]).toMatch(/^25 flips .*ids f0, f1, .*f19, … \(\+5 more\)$/);
  });
});

describe("regressionGate: per-class recall drop", () => {
  it("fails when a class with enough support drops by more than delta", () => {
    // class a (support 5): parent 5/5, candidate 4/5 -> drop 1/5 > 0.1.
    // class b (support 15): one fix, so overall accuracy is unchanged.
    const dev = set("dev", [r2w("a1", "a"), ...stable("a_", "a", 4), w2r("b1", "b"), ...stable("b_", "b", 14)]);
    const v = regressionGate({ sets: [dev], epsilon: 10 });
    expect(v.pass).toBe(false);
    expect(v.class_drops).toHaveLength(1);
    const d = v.class_drops[0]!;
    expect(d.set).toBe("dev");
    expect(d.class).toBe("a");
    expect(d.parent_recall).toBeCloseTo(1, 12);
    expect(d.candidate_recall).toBeCloseTo(4 / 5, 12);
    expect(d.drop).toBeCloseTo(1 / 5, 12);
    expect(d.support).toBe(5);
    expect(v.reasons).toEqual([
      'recall of class "a" on set "dev" fell from 1.0000 to 0.8000 (drop 0.2000 > delta=0.1, support 5)',
    ]);
  });

  it("ignores a drop in a class below minClassSupport, and checks it at exactly minClassSupport", () => {
    // class a (support 4): drop 1/4 > 0.1, but 4 < 5.
    const dev = set("dev", [r2w("a1", "a"), ...stable("a_", "a", 3), w2r("b1", "b"), ...stable("b_", "b", 14)]);
    const ignored = regressionGate({ sets: [dev], epsilon: 10, minClassSupport: 5 });
    expect(ignored.pass).toBe(true);
    expect(ignored.class_drops).toEqual([]);
    const checked = regressionGate({ sets: [dev], epsilon: 10, minClassSupport: 4 });
    expect(checked.pass).toBe(false);
    expect(checked.class_drops.map((d) => [d.class, d.support])).toEqual([["a", 4]]);
  });

  it("tolerates a drop of exactly delta (including float rounding)", () => {
    // class a: 10 examples, parent 8/10, candidate 7/10 -> drop 1/10 (0.8 - 0.7 = 0.10000000000000009 in floats)
    const a: Row[] = [r2w("a1", "a"), ["a2", "a", "WRONG", "WRONG"], ["a3", "a", "WRONG", "WRONG"], ...stable("a_", "a", 7)];
    const dev = set("dev", [...a, w2r("b1", "b"), ...stable("b_", "b", 9)]);
    expect(regressionGate({ sets: [dev], epsilon: 10, delta: 0.1 }).class_drops).toEqual([]);
    expect(regressionGate({ sets: [dev], epsilon: 10, delta: 0.09 }).class_drops).toHaveLength(1);
    // class c: 4 examples, 4/4 -> 3/4, drop exactly 0.25
    const dev2 = set("dev", [r2w("c1", "c"), ...stable("c_", "c", 3), w2r("b1", "b"), ...stable("b_", "b", 9)]);
    expect(regressionGate({ sets: [dev2], epsilon: 10, delta: 0.25, minClassSupport: 4 }).pass).toBe(true);
    expect(regressionGate({ sets: [dev2], epsilon: 10, delta: 0.24, minClassSupport: 4 }).pass).toBe(false);
  });
});

describe("regressionGate: bootstrap", () => {
  it("fails on a significant accuracy regression even within the flip and class budgets", () => {
    // 50 examples, candidate breaks 20 of them: delta = -20/50 = -0.4
    const dev = set("dev", [
      ...Array.from({ length: 20 }, (_, i) => r2w(`r${i}`, "a")),
      ...stable("s", "a", 30),
    ]);
    const v = regressionGate({ sets: [dev], epsilon: 100, delta: 1, bootstrap: { samples: 500, seed: 1 } });
    expect(v.pass).toBe(false);
    expect(v.delta_ci.delta).toBeCloseTo(-0.4, 12);
    expect(v.delta_ci.high).toBeLessThan(0);
    expect(v.delta_ci.samples).toBe(500);
    expect(v.delta_ci.confidence).toBe(0.95);
    expect(v.reasons).toHaveLength(1);
    expect(v.reasons[0]).toMatch(/^accuracy change -0\.4000 is a significant regression: 95% CI \[-0\.\d+, -0\.\d+\]/);
  });

  it("pools the sets and is deterministic for a seed", () => {
    const a = set("a", [r2w("1", "x"), ...stable("s", "x", 9)]);
    const b = set("b", [w2r("1", "x"), w2r("2", "x"), ...stable("s", "x", 8)]);
    const v1 = regressionGate({ sets: [a, b], bootstrap: { seed: 4 } });
    const v2 = regressionGate({ sets: [a, b], bootstrap: { seed: 4 } });
    expect(v1.delta_ci).toEqual(v2.delta_ci);
    // pooled: parent 19/20 - 2 = 17/20 right, candidate 18/20 right -> delta = +1/20
    expect(v1.delta_ci.delta).toBeCloseTo(1 / 20, 12);
  });
});

describe("regressionGate: token sets", () => {
  // s0..s4 contain LOC (s0 also PER); s5..s9 contain PER only.
  const gold: string[][] = [
    ["B-LOC", "O", "B-PER"],
    ["B-LOC", "I-LOC"],
    ["O", "B-LOC"],
    ["B-LOC"],
    ["B-LOC", "O"],
    ["B-PER"],
    ["B-PER", "I-PER"],
    ["O", "B-PER"],
    ["B-PER", "O"],
    ["B-PER", "O", "O"],
  ];
  const ids = gold.map((_, i) => `s${i}`);
  const parent = gold.map((tags) => [...tags]);
  // candidate misses the LOC of s0 (the sentence is wrong as a whole)
  const candidate = gold.map((tags, i) => (i === 0 ? ["O", "O", "B-PER"] : [...tags]));

  it("uses classOf to get per-entity-type recall over whole-sentence correctness", () => {
    const v = regressionGate({
      sets: [{ name: "ner", ids, gold, parent, candidate, classOf: (tags) => entityTypesOf(tags) }],
      epsilon: 5,
    });
    expect(v.pass).toBe(false);
    expect(v.flips).toEqual({ total: 1, per_set: { ner: ["s0"] } });
    // LOC: support 5, 5/5 -> 4/5, drop 1/5; PER: support 6 (s0 + s5..s9), 6/6 -> 5/6, drop 1/6
    expect(v.class_drops.map((d) => d.class)).toEqual(["LOC", "PER"]);
    expect(v.class_drops[0]!.drop).toBeCloseTo(1 / 5, 12);
    expect(v.class_drops[0]!.support).toBe(5);
    expect(v.class_drops[1]!.drop).toBeCloseTo(1 / 6, 12);
    expect(v.class_drops[1]!.candidate_recall).toBeCloseTo(5 / 6, 12);
    expect(v.class_drops[1]!.support).toBe(6);
    expect(v.per_set.ner).toEqual({ n: 10, parent_accuracy: 1, candidate_accuracy: 9 / 10 });
  });

  it("defaults classOf to the gold entity types for tag sequences", () => {
    const v = regressionGate({ sets: [{ name: "ner", ids, gold, parent, candidate }], epsilon: 5 });
    expect(v.class_drops.map((d) => [d.class, d.support])).toEqual([
      ["LOC", 5],
      ["PER", 6],
    ]);
  });

  it("respects a custom classOf (here: only LOC is tracked)", () => {
    const v = regressionGate({
      sets: [{ name: "ner", ids, gold, parent, candidate, classOf: (tags) => entityTypesOf(tags).filter((t) => t === "LOC") }],
      epsilon: 5,
    });
    expect(v.class_drops.map((d) => d.class)).toEqual(["LOC"]);
  });
});

describe("regressionGate: validation", () => {
  const ok = set("dev", stable("s", "a", 3));
  it("requires at least one set", () => {
    expect(() => regressionGate({ sets: [] })).toThrow(/at least one set/);
  });
  it("rejects a negative epsilon and an out-of-range delta", () => {
    expect(() => regressionGate({ sets: [ok], epsilon: -1 })).toThrow(/invalid options[\s\S]*epsilon/);
    expect(() => regressionGate({ sets: [ok], delta: 2 })).toThrow(/invalid options[\s\S]*delta/);
  });
  it("rejects unequal lengths, naming the set", () => {
    const bad = { ...ok, name: "broken", candidate: ["a"] };
    expect(() => regressionGate({ sets: [bad] })).toThrow(/set "broken": ids, gold, parent and candidate must have the same length/);
  });
  it("rejects empty sets, duplicate set names and duplicate ids", () => {
    expect(() => regressionGate({ sets: [set("e", [])] })).toThrow(/set "e": no examples/);
    expect(() => regressionGate({ sets: [ok, ok] })).toThrow(/duplicate set name/);
    expect(() => regressionGate({ sets: [set("d", [...stable("s", "a", 1), ...stable("s", "a", 1)])] })).toThrow(
      /duplicate id "s0"/,
    );
  });
  it("asks for classOf when gold is neither a label nor a tag sequence", () => {
    const odd: GateSet<number> = { name: "num", ids: ["1"], gold: [1], parent: [1], candidate: [1] };
    expect(() => regressionGate({ sets: [odd] })).toThrow(/pass classOf/);
    expect(regressionGate({ sets: [{ ...odd, classOf: (g) => [String(g)] }] }).pass).toBe(true);
  });
});
