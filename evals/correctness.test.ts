import { describe, expect, it } from "vitest";
import { correctness, defaultIsCorrect } from "./correctness.ts";

describe("defaultIsCorrect", () => {
  it("compares strings strictly", () => {
    expect(defaultIsCorrect("a", "a")).toBe(true);
    expect(defaultIsCorrect("a", "A")).toBe(false);
  });
  it("compares arrays element-wise, not by reference", () => {
    expect(defaultIsCorrect(["B-PER", "O"], ["B-PER", "O"])).toBe(true);
    expect(defaultIsCorrect(["B-PER", "O"], ["B-PER", "I-PER"])).toBe(false);
    expect(defaultIsCorrect(["O"], ["O", "O"])).toBe(false);
  });
});

describe("correctness", () => {
  it("flags each example and honours a custom isCorrect", () => {
    expect(correctness(["a", "b"], ["a", "c"])).toEqual([true, false]);
    expect(correctness(["a", "b"], ["A", "B"], (g, p) => g.toLowerCase() === p.toLowerCase())).toEqual([true, true]);
  });
  it("throws on length mismatch", () => {
    expect(() => correctness(["a"], [])).toThrow(/1 entries but predictions have 0/);
  });
});
