import { describe, expect, it } from "vitest";
import { chooseOosThreshold, nearestSimilarity } from "./oos-threshold.ts";

const scale = 20;
/** The zero-shot model's prediction for an input whose similarities to the labels are `cos`. */
function predicted(id: string, cos: Record<string, number>, threshold: number) {
  const logits = { ...Object.fromEntries(Object.entries(cos).map(([l, c]) => [l, scale * c])), oos: scale * threshold };
  const z = Object.values(logits).reduce((s, x) => s + Math.exp(x), 0);
  const probs = Object.fromEntries(Object.entries(logits).map(([l, x]) => [l, Number((Math.exp(x) / z).toFixed(6))]));
  const [label, confidence] = Object.entries(probs).sort((a, b) => b[1] - a[1])[0]!;
  return { id, label, confidence, probs };
}

describe("nearestSimilarity", () => {
  it("recovers the nearest label's cosine similarity from the probabilities", () => {
    const p = predicted("a", { weather: 0.62, music: 0.41 }, 0.3);
    const got = nearestSimilarity(p, "oos", { scale, threshold: 0.3 });
    expect(got.label).toBe("weather");
    expect(got.similarity).toBeCloseTo(0.62, 3);
  });
});

describe("chooseOosThreshold", () => {
  it("chooses the threshold that separates out-of-scope inputs best on labeled data", () => {
    // In-scope inputs sit at 0.55-0.8 from their label, out-of-scope ones at 0.3-0.45: the default
    // 0.3 calls every out-of-scope input in scope.
    const rows = [
      ["w1", "weather", { weather: 0.8, music: 0.2 }], ["w2", "weather", { weather: 0.6, music: 0.3 }],
      ["m1", "music", { weather: 0.1, music: 0.55 }], ["m2", "music", { weather: 0.3, music: 0.7 }],
      ["o1", "oos", { weather: 0.45, music: 0.2 }], ["o2", "oos", { weather: 0.3, music: 0.35 }], ["o3", "oos", { weather: 0.4, music: 0.1 }],
    ] as const;
    const examples = rows.map(([id, label]) => ({ id, text: id, label }));
    const predictions = rows.map(([id, , cos]) => predicted(id, cos, 0.3));
    const choice = chooseOosThreshold(examples, predictions, "oos", { scale, threshold: 0.3 })!;
    expect(choice.threshold).toBeGreaterThan(0.45);
    expect(choice.threshold).toBeLessThan(0.55);
    expect(choice.accuracy_before).toBeCloseTo(4 / 7, 5);
    expect(choice.accuracy_after).toBe(1);
    expect(choice.oos_examples).toBe(3);
  });

  it("chooses nothing without an out-of-scope example", () => {
    const p = predicted("w", { weather: 0.8, music: 0.2 }, 0.3);
    expect(chooseOosThreshold([{ id: "w", text: "w", label: "weather" }], [p], "oos", { scale, threshold: 0.3 })).toBeNull();
  });
});
