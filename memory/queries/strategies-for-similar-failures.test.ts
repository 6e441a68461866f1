import { describe, expect, it } from "vitest";
import { rankExperiments, type RankedExperiment } from "./strategies-for-similar-failures.ts";

const ranked = (id: string, verdict: "promoted" | "rejected", similarity: number, gain: number): RankedExperiment =>
  ({ id, verdict, similarity, gain, score: similarity * Math.max(gain, 0) }) as RankedExperiment;

describe("rankExperiments", () => {
  it("puts promoted first, then higher similarity × gain, then higher similarity", () => {
    const order = [
      ranked("rejected-big-gain", "rejected", 0.9, 0.3),
      ranked("promoted-small", "promoted", 0.9, 0.01),
      ranked("promoted-big", "promoted", 0.6, 0.2),
      ranked("rejected-negative-close", "rejected", 0.95, -0.1),
      ranked("rejected-negative-far", "rejected", 0.5, -0.2),
    ]
      .sort(rankExperiments)
      .map((e) => e.id);
    expect(order).toEqual(["promoted-big", "promoted-small", "rejected-big-gain", "rejected-negative-close", "rejected-negative-far"]);
  });
});
