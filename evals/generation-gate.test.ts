import { describe, expect, it } from "vitest";
import { generationGateSet } from "./generation-gate.ts";
import { regressionGate } from "./regression-gate.ts";

const gold = [
  { id: "q1", text: "2 + 3?", target: "5" },
  { id: "q2", text: "4 * 2?", target: "8" },
  { id: "q3", text: "9 - 6?", target: "3" },
  { id: "q4", text: "1 + 1?", target: "2" },
];
const parent = new Map([["q1", "2 + 3 = 5\n#### 5"], ["q2", "#### 8"], ["q3", "#### 4"], ["q4", "#### 2"]]);

describe("generationGateSet", () => {
  it("counts a flip when the candidate's extracted answer stops matching, whatever the wording", () => {
    // q1 reworded (still 5), q2 now wrong, q3 fixed, q4 left unanswered.
    const candidate = new Map([["q1", "three and two make 5\n#### 5.0"], ["q2", "#### 9"], ["q3", "9 - 6 = 3\n#### 3"]]);
    const verdict = regressionGate({ sets: [generationGateSet("regression", gold, parent, candidate, "number")], epsilon: 1, delta: 0.1 });
    expect(verdict.flips.per_set.regression).toEqual(["q2", "q4"]);
    expect(verdict.per_set.regression).toEqual({ n: 4, parent_accuracy: 0.75, candidate_accuracy: 0.5 });
    expect(verdict.pass).toBe(false);
    expect(verdict.failed).toEqual(["flips"]);
    expect(verdict.class_drops).toEqual([]);
  });

  it("passes a candidate that only fixes answers", () => {
    const candidate = new Map([...parent, ["q3", "#### 3"]]);
    const verdict = regressionGate({ sets: [generationGateSet("regression", gold, parent, candidate, "number")], epsilon: 0, delta: 0.1 });
    expect(verdict).toMatchObject({ pass: true, flips: { total: 0 } });
    expect(verdict.per_set.regression!.candidate_accuracy).toBe(1);
  });
});
