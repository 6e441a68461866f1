import { describe, expect, it } from "vitest";
import { chooseOosFallback } from "./oos-fallback.ts";

const OOS = "oos";
const p = (label: string, confidence: number) => ({ label, confidence });

describe("chooseOosFallback", () => {
  it("cuts where falling back wins most: out-of-scope golds won, right answers lost", () => {
    // Sorted by confidence, the in-scope answers are: 0.2 oos-gold (+1), 0.3 oos-gold (+1),
    // 0.4 right (-1), 0.5 oos-gold (+1), 0.6 right (-1), 0.9 right (-1): running gain 1 2 1 2 1 0.
    // Cuts after 0.3 and after 0.5 both win 2, apart: the first is taken, halfway to 0.4.
    const gold = ["oos", "oos", "A", "oos", "A", "B", "oos"];
    const preds = [p("A", 0.2), p("B", 0.3), p("A", 0.4), p("B", 0.5), p("A", 0.6), p("B", 0.9), p(OOS, 0.7)];
    expect(chooseOosFallback(gold, preds, OOS)).toEqual({ threshold: 0.35, n: 7, oos_examples: 4, accuracy_before: 4 / 7, accuracy_after: 6 / 7, fallbacks: 2 });
    // Another out-of-scope gold answered at 0.55 makes the cut after it the best (+3).
    expect(chooseOosFallback([...gold, "oos"], [...preds, p("A", 0.55)], OOS)).toMatchObject({ threshold: 0.575, fallbacks: 5 });
  });

  it("wants at least minGain examples, and none when falling back only loses", () => {
    const gold = ["oos", "A", "B"];
    const preds = [p("A", 0.3), p("A", 0.8), p("B", 0.9)];
    expect(chooseOosFallback(gold, preds, OOS).threshold).toBeNull(); // +1 < 2
    expect(chooseOosFallback(gold, preds, OOS, 1)).toMatchObject({ threshold: 0.55, accuracy_after: 1, fallbacks: 1 });
    expect(chooseOosFallback(["A", "B"], [p("A", 0.1), p("B", 0.2)], OOS, 1)).toMatchObject({ threshold: null, accuracy_after: 1, fallbacks: 0 });
  });

  it("never cuts between equal confidences, and may take every in-scope answer", () => {
    const gold = ["oos", "A", "oos", "oos"];
    const preds = [p("A", 0.5), p("A", 0.5), p("B", 0.7), p("B", 0.8)];
    // Both 0.5 answers go together (+1 -1), then 0.7 (+1) and 0.8 (+1): every answer falls back.
    expect(chooseOosFallback(gold, preds, OOS)).toMatchObject({ threshold: 0.801, fallbacks: 4, accuracy_after: 0.75 });
    expect(chooseOosFallback(["oos"], [p("A", 0.9999)], OOS, 1).threshold).toBe(1); // at most 1
  });
});
