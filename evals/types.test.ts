import { describe, expect, it } from "vitest";
import {
  ClassificationPredictionSchema,
  GoldClassificationExampleSchema,
  GoldTokenExampleSchema,
  TokenPredictionSchema,
} from "./types.ts";

describe("shared schemas", () => {
  it("accept well-formed records", () => {
    expect(
      ClassificationPredictionSchema.parse({ id: "a", label: "x", confidence: 0.7, probs: { x: 0.7, y: 0.3 }, below_threshold: false }),
    ).toMatchObject({ label: "x" });
    expect(TokenPredictionSchema.parse({ id: "a", tags: ["B-PER", "O"], confidences: [0.9, 0.8] }).tags).toHaveLength(2);
    expect(GoldClassificationExampleSchema.parse({ id: "a", text: "t", label: "x" }).label).toBe("x");
    expect(GoldTokenExampleSchema.parse({ id: "a", tokens: ["Ann", "ran"], tags: ["B-PER", "O"] }).tokens).toHaveLength(2);
  });

  it("reject confidences out of range and misaligned token arrays", () => {
    expect(ClassificationPredictionSchema.safeParse({ id: "a", label: "x", confidence: 1.5 }).success).toBe(false);
    expect(TokenPredictionSchema.safeParse({ id: "a", tags: ["O", "O"], confidences: [0.9] }).success).toBe(false);
    expect(GoldTokenExampleSchema.safeParse({ id: "a", tokens: ["Ann"], tags: ["B-PER", "O"] }).success).toBe(false);
    expect(GoldClassificationExampleSchema.safeParse({ id: "", text: "t", label: "x" }).success).toBe(false);
  });
});
