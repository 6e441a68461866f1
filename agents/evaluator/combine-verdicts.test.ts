import { describe, expect, it } from "vitest";
import { regressionGate } from "../../evals/regression-gate.ts";
import { scores } from "../../test-support/maintain-state.ts";
import { combineVerdicts, NO_GAIN, rejectedOnlyForNoGain, systematicDropSupport } from "./combine-verdicts.ts";

/** A gate over one set of `n` examples of class A (indexes 0..n-1) then `n` of class B; the two
 * lists say which indexes the parent and the candidate get wrong. */
function gate(name: string, epsilon: number, parentWrong: number[], candidateWrong: number[], n = 10) {
  const ids = Array.from({ length: 2 * n }, (_, i) => `${name}-${i}`);
  const gold = ids.map((_, i) => (i < n ? "A" : "B"));
  const answer = (wrong: number[]) => gold.map((g, i) => (wrong.includes(i) ? (g === "A" ? "B" : "A") : g));
  return regressionGate({ sets: [{ name, ids, gold, parent: answer(parentWrong), candidate: answer(candidateWrong) }], epsilon, delta: 0.1, bootstrap: { seed: 0 } });
}

const DEV_EPSILON = 1_000_000_000;

describe("combineVerdicts", () => {
  it("passes with the regression budget kept, no dev class drop and a gain on dev", () => {
    const v = combineVerdicts(gate("regression", 2, [], [3]), gate("dev", DEV_EPSILON, [1, 12], [12]), scores(0.8), scores(0.85), "accuracy");
    expect(v.pass).toBe(true);
    expect(v.reasons).toHaveLength(1);
    expect(v.reasons[0]).toMatch(/^passed: 1 flip within the budget epsilon=2.*; accuracy 0\.8000 -> 0\.8500 \(\+5\.00 points\)$/);
    expect(v.flips.total).toBe(1);
  });

  it("fails on no gain, and on a loss, with the no-gain reason", () => {
    for (const after of [0.8, 0.79]) {
      const v = combineVerdicts(gate("regression", 2, [], []), gate("dev", DEV_EPSILON, [], []), scores(0.8), scores(after), "accuracy");
      expect(v.pass).toBe(false);
      expect(v.reasons).toEqual([`${NO_GAIN}: accuracy 0.8000 -> ${after.toFixed(4)}`]);
      expect(rejectedOnlyForNoGain(v)).toBe(true);
    }
  });

  it("fails on a class recall drop on dev even with a gain and no flips counted there", () => {
    const dev = gate("dev", DEV_EPSILON, [], [0, 1, 2]);
    expect(dev.class_drops.map((d) => d.class)).toEqual(["A"]);
    const v = combineVerdicts(gate("regression", 2, [], []), dev, scores(0.8), scores(0.9), "accuracy");
    expect(v.pass).toBe(false);
    expect(v.reasons).toEqual([expect.stringMatching(/^recall of class "A" on set "dev" fell from 1\.0000 to 0\.7000/)]);
    expect(v.class_drops).toEqual(dev.class_drops);
    expect(rejectedOnlyForNoGain(v)).toBe(false);
  });

  it("fails on flips over epsilon on the regression set, listing them", () => {
    const v = combineVerdicts(gate("regression", 2, [], [0, 11, 12]), gate("dev", DEV_EPSILON, [], []), scores(0.8), scores(0.9), "accuracy");
    expect(v.pass).toBe(false);
    expect(v.flips).toEqual({ total: 3, per_set: { regression: ["regression-0", "regression-11", "regression-12"] } });
    expect(v.reasons[0]).toMatch(/^3 flips .* exceed the budget epsilon=2/);
    expect(rejectedOnlyForNoGain(v)).toBe(false);
  });

  it("keeps every reason when several checks fail", () => {
    const v = combineVerdicts(gate("regression", 2, [], [0, 11, 12]), gate("dev", DEV_EPSILON, [], [0, 1, 2]), scores(0.8), scores(0.8), "accuracy");
    expect(v.pass).toBe(false);
    expect(v.reasons.filter((r) => /flips .* exceed/.test(r))).toHaveLength(1);
    expect(v.reasons.filter((r) => /recall of class "A" on set "dev"/.test(r))).toHaveLength(1);
    expect(v.reasons.at(-1)).toMatch(new RegExp(`^${NO_GAIN}`));
    expect(v.class_drops.map((d) => d.set)).toContain("dev");
  });
});

describe("systematicDropSupport", () => {
  it("checks only classes where one flip cannot exceed delta on its own", () => {
    expect(systematicDropSupport(0.1)).toBe(10);
    expect(systematicDropSupport(0.25)).toBe(4);
    expect(systematicDropSupport(0.3)).toBe(4);
    expect(systematicDropSupport(0)).toBe(0);
  });

  it("lets a single flip in a small class through the class check, and catches two in a class of ten", () => {
    const set = (wrong: number, size: number) => ({
      name: "regression",
      ids: Array.from({ length: size }, (_, i) => `r${i}`),
      gold: Array.from({ length: size }, () => "A"),
      parent: Array.from({ length: size }, () => "A"),
      candidate: Array.from({ length: size }, (_, i) => (i < wrong ? "B" : "A")),
    });
    const gate = (wrong: number, size: number) => regressionGate({ sets: [set(wrong, size)], epsilon: 5, delta: 0.1, minClassSupport: systematicDropSupport(0.1) });
    expect(gate(1, 5).pass).toBe(true);
    expect(gate(1, 10).pass).toBe(true);
    expect(gate(2, 10).pass).toBe(false);
  });
});
