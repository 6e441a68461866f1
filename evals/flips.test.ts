import { describe, expect, it } from "vitest";
import { flipAnalysis, flipsFromCorrectness } from "./flips.ts";

describe("flipAnalysis", () => {
  it("classifies each example and reports flip ids", () => {
    // a: parent right, candidate wrong; b: both right; c: parent wrong, candidate right;
    // d: both wrong; e: both right; f: parent right, candidate wrong
    const r = flipAnalysis({
      ids: ["a", "b", "c", "d", "e", "f"],
      gold: ["x", "y", "x", "y", "x", "y"],
      parent: ["x", "y", "y", "x", "x", "y"],
      candidate: ["y", "y", "x", "x", "x", "x"],
    });
    expect(r).toEqual({
      n: 6,
      right_to_wrong: ["a", "f"],
      wrong_to_right: ["c"],
      both_right: 2,
      both_wrong: 1,
      parent_accuracy: 4 / 6,
      candidate_accuracy: 3 / 6,
    });
  });

  it("treats a token sentence as right only when the whole tag sequence matches", () => {
    const gold = [["B-PER", "O"], ["O"], ["B-LOC"]];
    const r = flipAnalysis({
      ids: ["s0", "s1", "s2"],
      gold,
      parent: [["B-PER", "O"], ["O"], ["O"]], // fresh arrays: equal by content, not by reference
      candidate: [["B-PER", "I-PER"], ["O"], ["B-LOC"]],
    });
    expect(r.right_to_wrong).toEqual(["s0"]);
    expect(r.wrong_to_right).toEqual(["s2"]);
    expect(r.both_right).toBe(1);
    expect(r.parent_accuracy).toBeCloseTo(2 / 3, 12);
    expect(r.candidate_accuracy).toBeCloseTo(2 / 3, 12);
  });

  it("uses a custom isCorrect", () => {
    const r = flipAnalysis({
      ids: ["a", "b"],
      gold: ["Yes", "No"],
      parent: ["yes", "no"],
      candidate: ["YES", "maybe"],
      isCorrect: (g, p) => g.toLowerCase() === p.toLowerCase(),
    });
    expect(r.right_to_wrong).toEqual(["b"]);
    expect(r.both_right).toBe(1);
  });

  it("validates lengths, emptiness and duplicate ids", () => {
    expect(() => flipAnalysis({ ids: ["a"], gold: ["x"], parent: ["x"], candidate: [] })).toThrow(/same length/);
    expect(() => flipAnalysis({ ids: [], gold: [], parent: [], candidate: [] })).toThrow(/no examples/);
    expect(() => flipAnalysis({ ids: ["a", "a"], gold: ["x", "x"], parent: ["x", "x"], candidate: ["x", "x"] })).toThrow(
      /duplicate id "a"/,
    );
  });
});

describe("flipsFromCorrectness", () => {
  it("builds the same result from precomputed flags", () => {
    expect(flipsFromCorrectness(["a", "b", "c"], [true, false, true], [false, true, true])).toEqual({
      n: 3,
      right_to_wrong: ["a"],
      wrong_to_right: ["b"],
      both_right: 1,
      both_wrong: 0,
      parent_accuracy: 2 / 3,
      candidate_accuracy: 2 / 3,
    });
    expect(() => flipsFromCorrectness(["a"], [true, true], [true])).toThrow(/same length/);
  });
});
