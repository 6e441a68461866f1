import { describe, expect, it } from "vitest";
import { candidateOf, DIAGNOSIS, gateVerdict, maintainState, parentModel, scores } from "../../test-support/maintain-state.ts";
import { minutesSpent, noProgress, roundsSpent, STOP_CONDITIONS, stopReason, targetReached } from "./stop-conditions.ts";

const START = "2026-01-01T10:00:00.000Z";
const at = (minutes: number) => new Date(new Date(START).getTime() + minutes * 60_000);

describe("stop conditions", () => {
  it("targetReached: once the parent's task metric reaches the target, never without a target", () => {
    expect(targetReached(maintainState({ target: 0.9 }, { parent: parentModel(0.89) }), at(0))).toBeNull();
    expect(targetReached(maintainState({ target: 0.9 }, { parent: parentModel(0.9) }), at(0))).toBe("target reached: 0.9000 >= 0.9");
    expect(targetReached(maintainState({}, { parent: parentModel(1) }), at(0))).toBeNull();
    expect(targetReached(maintainState({ target: 0.5 }, { parent: null }), at(0))).toBeNull();
  });

  it("roundsSpent: after the last round was evaluated (round is then rounds + 1)", () => {
    expect(roundsSpent(maintainState({ rounds: 2 }, { round: 2 }), at(0))).toBeNull();
    expect(roundsSpent(maintainState({ rounds: 2 }, { round: 3 }), at(0))).toBe("round budget spent (2)");
    expect(roundsSpent(maintainState({}, { round: 4 }), at(0))).toBe("round budget spent (3)");
  });

  it("minutesSpent: measured from started_at with the given clock", () => {
    const state = maintainState({ minutes: 30 }, { started_at: START });
    expect(minutesSpent(state, at(29.9))).toBeNull();
    expect(minutesSpent(state, at(30))).toBe("time budget spent (30.0 of 30 minutes)");
    expect(minutesSpent(maintainState({}, { started_at: START }), at(59))).toBeNull();
    expect(minutesSpent(maintainState({}, { started_at: START }), at(61))).toMatch(/of 60 minutes/);
    expect(minutesSpent(maintainState({ minutes: 1 }, { started_at: "" }), at(1000))).toBeNull();
  });

  it("noProgress: after `patience` rounds without a promotion", () => {
    expect(noProgress(maintainState({ patience: 2 }, { rounds_without_promotion: 1 }), at(0))).toBeNull();
    expect(noProgress(maintainState({ patience: 2 }, { rounds_without_promotion: 2 }), at(0))).toBe("no promotion in 2 rounds (patience 2)");
    expect(noProgress(maintainState({ patience: 1 }, { rounds_without_promotion: 1 }), at(0))).toBe("no promotion in 1 rounds (patience 1)");
  });

  it("noProgress: waits for the repair of a candidate that gained but broke regression examples", () => {
    const gainedButFlipped = { ...candidateOf(2), scores: scores(0.85), verdict: gateVerdict(false, ["20 flips (right before, wrong now) exceed the budget epsilon=2"]) };
    const waiting = maintainState({ patience: 2 }, { rounds_without_promotion: 2, parent: parentModel(0.8), candidates: [candidateOf(1, { pass: false }), gainedButFlipped] });
    expect(noProgress(waiting, at(0))).toBeNull();
    // A repair that broke as many keeps no more patience; one that broke fewer is repaired again.
    const repaired = { ...candidateOf(3), hyperparameters: { init_from: "candidate" }, scores: scores(0.85), verdict: gateVerdict(false, ["20 flips"]) };
    expect(noProgress({ ...waiting, rounds_without_promotion: 3, candidates: [...waiting.candidates, repaired] }, at(0))).toMatch(/^no promotion in 3 rounds/);
    const fewer = { ...repaired, verdict: { ...repaired.verdict, flips: { total: 3, per_set: { regression: ["a", "b", "c"] } } } };
    expect(noProgress({ ...waiting, rounds_without_promotion: 3, candidates: [...waiting.candidates, fewer] }, at(0))).toBeNull();
    const noGain = { ...gainedButFlipped, scores: scores(0.79) };
    expect(noProgress({ ...waiting, candidates: [noGain] }, at(0))).toMatch(/^no promotion in 2 rounds/);
  });

  it("stopReason checks target, rounds, minutes, patience in that order", () => {
    expect(STOP_CONDITIONS).toEqual([targetReached, roundsSpent, minutesSpent, noProgress]);
    const all = { target: 0.5, rounds: 1, minutes: 1, patience: 1 };
    const everything = { parent: parentModel(0.9), round: 2, started_at: START, rounds_without_promotion: 1 };
    expect(stopReason(maintainState(all, everything), at(5))).toMatch(/^target reached/);
    expect(stopReason(maintainState({ ...all, target: 0.95 }, everything), at(5))).toMatch(/^round budget spent/);
    expect(stopReason(maintainState({ ...all, target: 0.95, rounds: 3 }, everything), at(5))).toMatch(/^time budget spent/);
    expect(stopReason(maintainState({ ...all, target: 0.95, rounds: 3, minutes: 10 }, everything), at(5))).toMatch(/^no promotion/);
    expect(stopReason(maintainState({ ...all, target: 0.95, rounds: 3, minutes: 10, patience: 2 }, everything), at(5))).toBeNull();
  });

  it("stopReason uses the current time by default", () => {
    const longAgo = maintainState({ minutes: 1 }, { started_at: "2000-01-01T00:00:00.000Z", diagnosis: DIAGNOSIS });
    expect(stopReason(longAgo)).toMatch(/^time budget spent/);
  });
});
