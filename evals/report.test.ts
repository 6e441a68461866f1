import { describe, expect, it } from "vitest";
import { classificationMetrics } from "./classification-metrics.ts";
import { entityMetrics } from "./entity-metrics.ts";
import { regressionGate } from "./regression-gate.ts";
import { formatClassificationReport, formatEntityReport, formatGateVerdict } from "./report.ts";

describe("formatClassificationReport", () => {
  // f1: a=4/5, b=1/2, c=1, d=0  -> worst-first order d, b, a, c
  const m = classificationMetrics(["a", "a", "a", "b", "b", "c", "oos"], ["a", "a", "b", "b", "d", "c", "oos"], {
    modelLabels: ["a", "b", "d", "oos"],
    oosLabel: "oos",
  });

  it("prints the overall line, then per-class rows worst F1 first", () => {
    const text = formatClassificationReport(m);
    const lines = text.split("\n");
    expect(lines[0]).toBe("n=7  accuracy=0.7143  macro_f1=0.6600  weighted_f1=0.7714");
    expect(lines[1]).toMatch(/^class\s+precision\s+recall\s+f1\s+support$/);
    const order = lines.slice(2, 7).map((l) => l.split(/\s+/)[0]);
    expect(order).toEqual(["d", "b", "a", "c", "oos"]);
    expect(lines[2]).toMatch(/^d\s+0\.0000\s+0\.0000\s+0\.0000\s+0$/);
    expect(lines[4]).toMatch(/^a\s+1\.0000\s+0\.6667\s+0\.8000\s+3$/);
  });

  it("caps per-class rows at maxRows and says how many are hidden", () => {
    const lines = formatClassificationReport(m, { maxRows: 2 }).split("\n");
    expect(lines.slice(2, 5).map((l) => l.split(/\s+/)[0])).toEqual(["d", "b", "…"]);
    expect(lines[4]).toBe("… 3 more rows not shown (best F1)");
    expect(lines.some((l) => l.startsWith("c "))).toBe(false);
  });

  it("lists confused pairs, unseen labels and the oos block", () => {
    const text = formatClassificationReport(m);
    expect(text).toContain("top confused pairs (gold -> predicted: count):\n  a -> b: 1\n  b -> d: 1");
    expect(text).toContain("unseen labels (not in the model's label set): c");
    expect(text).toContain('out of scope "oos": recall=1.0000  precision=1.0000  support=1  in_scope_accuracy=0.6667');
  });

  it("omits empty sections", () => {
    const text = formatClassificationReport(classificationMetrics(["a"], ["a"]));
    expect(text).not.toContain("confused");
    expect(text).not.toContain("unseen");
    expect(text).not.toContain("out of scope");
  });

  it("rejects a bad maxRows", () => {
    expect(() => formatClassificationReport(m, { maxRows: -1 })).toThrow(/maxRows/);
  });
});

describe("formatEntityReport", () => {
  it("prints micro scores with counts and per-type rows worst first", () => {
    const e = entityMetrics([["B-PER", "I-PER", "O", "B-LOC"]], [["B-PER", "I-PER", "O", "O"]]);
    const lines = formatEntityReport(e).split("\n");
    // n_gold=2, n_pred=1, n_correct=1 -> P=1, R=1/2, F1=2/3
    expect(lines[0]).toBe("entities: precision=1.0000  recall=0.5000  f1=0.6667  (gold=2 predicted=1 correct=1)");
    expect(lines.slice(2).map((l) => l.split(/\s+/)[0])).toEqual(["LOC", "PER"]);
  });
});

describe("formatGateVerdict", () => {
  const ids = Array.from({ length: 10 }, (_, i) => `e${i}`);
  const gold = ids.map(() => "a");

  it("shows PASS with the reason and per-set accuracies", () => {
    const v = regressionGate({ sets: [{ name: "dev", ids, gold, parent: gold, candidate: gold }] });
    const text = formatGateVerdict(v);
    expect(text.split("\n")[0]).toBe("regression gate: PASS");
    expect(text).toContain("  - passed: 0 flips");
    expect(text).toContain("flips (right before, wrong now): 0 (dev: 0); budget epsilon=2");
    expect(text).toContain("accuracy change: +0.0000, 95% CI [+0.0000, +0.0000] over 1000 resamples");
    expect(text).toMatch(/dev\s+10\s+1\.0000\s+1\.0000\s+\+0\.0000/);
  });

  it("shows FAIL with every violation", () => {
    const candidate = gold.map((g, i) => (i < 3 ? "b" : g));
    const v = regressionGate({ sets: [{ name: "dev", ids, gold, parent: gold, candidate }], delta: 1 });
    const text = formatGateVerdict(v);
    expect(text.split("\n")[0]).toBe("regression gate: FAIL");
    expect(text).toContain("  - 3 flips (right before, wrong now) exceed the budget epsilon=2: ids e0, e1, e2");
    expect(text).toMatch(/dev\s+10\s+1\.0000\s+0\.7000\s+-0\.3000/);
  });
});
