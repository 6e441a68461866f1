import { describe, expect, it } from "vitest";
import { alignPredictions } from "./align.ts";
import { classificationMetrics } from "./classification-metrics.ts";
import type { ClassificationPrediction, GoldClassificationExample } from "./types.ts";

const gold: GoldClassificationExample[] = [
  { id: "1", text: "refund please", label: "refund" },
  { id: "2", text: "hi", label: "greeting" },
];
const pred = (id: string, label: string): ClassificationPrediction => ({ id, label, confidence: 0.9 });

describe("alignPredictions", () => {
  it("orders predictions by gold, whatever their input order", () => {
    const a = alignPredictions(gold, [pred("2", "greeting"), pred("1", "billing")]);
    expect(a.ids).toEqual(["1", "2"]);
    expect(a.predictions.map((p) => p.label)).toEqual(["billing", "greeting"]);
    const m = classificationMetrics(
      a.gold.map((g) => g.label),
      a.predictions.map((p) => p.label),
    );
    expect(m.accuracy).toBeCloseTo(1 / 2, 12);
  });

  it("throws on missing, extra and duplicate ids", () => {
    expect(() => alignPredictions(gold, [pred("1", "x")])).toThrow(/1 gold examples have no prediction: 2/);
    expect(() => alignPredictions(gold, [pred("1", "x"), pred("2", "x"), pred("3", "x")])).toThrow(
      /1 predictions have no gold example: 3/,
    );
    expect(() => alignPredictions(gold, [pred("1", "x"), pred("1", "y")])).toThrow(/duplicate prediction id "1"/);
    expect(() => alignPredictions([...gold, gold[0]!], [pred("1", "x"), pred("2", "y")])).toThrow(/duplicate gold id "1"/);
  });
});
