import { describe, expect, it } from "vitest";
import { candidateOf, DIAGNOSIS, dataVersion, maintainState, parentModel, roundPlan } from "../../test-support/maintain-state.ts";
import { route } from "./policy.ts";
import { PlannerDecision } from "./schema.ts";

const START = "2026-01-01T10:00:00.000Z";
const NOW = new Date("2026-01-01T10:05:00.000Z");

describe("route (offline planner)", () => {
  it("diagnoses first, then per round: curate, train, evaluate", () => {
    const steps = [
      maintainState({}, { started_at: START }),
      maintainState({}, { started_at: START, diagnosis: DIAGNOSIS }),
      maintainState({}, { started_at: START, diagnosis: DIAGNOSIS, data_versions: [dataVersion(1)] }),
      maintainState({}, { started_at: START, diagnosis: DIAGNOSIS, data_versions: [dataVersion(1)], candidates: [candidateOf(1)] }),
      // The evaluator moved on to round 2: its data version comes next.
      maintainState({}, { started_at: START, diagnosis: DIAGNOSIS, data_versions: [dataVersion(1)], candidates: [candidateOf(1, { pass: true })], round: 2 }),
      maintainState({}, { started_at: START, diagnosis: DIAGNOSIS, data_versions: [dataVersion(1), dataVersion(2)], candidates: [candidateOf(1, { pass: true })], round: 2 }),
    ];
    const decisions = steps.map((s) => route(s, NOW));
    expect(decisions.map((d) => d.next)).toEqual(["diagnostician", "data_curator", "trainer", "evaluator", "data_curator", "trainer"]);
    expect(decisions.every((d) => d.stop_reason === null)).toBe(true);
    for (const d of decisions) expect(PlannerDecision.parse(d)).toEqual(d);
    expect(decisions[3]?.reason).toBe("round 1: score and gate round-1");
  });

  const roundTwo = (input: Parameters<typeof maintainState>[0], overrides: Parameters<typeof maintainState>[1] = {}) =>
    maintainState(input, { started_at: START, diagnosis: DIAGNOSIS, data_versions: [dataVersion(1)], candidates: [candidateOf(1, { pass: false })], round: 2, rounds_without_promotion: 1, ...overrides });

  it("stops when the target is reached", () => {
    const d = route(roundTwo({ target: 0.85 }, { parent: parentModel(0.86) }), NOW);
    expect(d).toEqual({ next: "report", reason: "target reached: 0.8600 >= 0.85", stop_reason: "target reached: 0.8600 >= 0.85" });
  });

  it("stops when the rounds are spent", () => {
    expect(route(roundTwo({ rounds: 1 }), NOW)).toMatchObject({ next: "report", stop_reason: "round budget spent (1)" });
    expect(route(roundTwo({ rounds: 2 }), NOW).next).toBe("data_curator");
  });

  it("stops when the minutes are spent, by the clock it is given", () => {
    expect(route(roundTwo({ minutes: 5 }), NOW)).toMatchObject({ next: "report", stop_reason: "time budget spent (5.0 of 5 minutes)" });
    expect(route(roundTwo({ minutes: 6 }), NOW).next).toBe("data_curator");
  });

  it("stops after `patience` rounds without a promotion", () => {
    expect(route(roundTwo({ patience: 1 }), NOW)).toMatchObject({ next: "report", stop_reason: "no promotion in 1 rounds (patience 1)" });
    expect(route(roundTwo({ patience: 2 }), NOW).next).toBe("data_curator");
  });

  it("checks the stop conditions before the first round too", () => {
    const atTarget = maintainState({ target: 0.8 }, { started_at: START, diagnosis: DIAGNOSIS, parent: parentModel(0.8) });
    expect(route(atTarget, NOW)).toMatchObject({ next: "report", stop_reason: "target reached: 0.8000 >= 0.8" });
  });

  it("stops before training on data that barely differs from what the parent was trained on", () => {
    const curated = (changed: number, initFrom: "base" | "parent" | "candidate") =>
      maintainState({}, {
        started_at: START,
        diagnosis: DIAGNOSIS,
        data_versions: [dataVersion(1), dataVersion(2), { ...dataVersion(3), vs_parent_data: { added: 75, removed: 1, changed, size: 8610 } }],
        candidates: [candidateOf(1, { pass: true }), candidateOf(2, { pass: true })],
        round: 3,
        next_plan: roundPlan(initFrom),
      });
    expect(route(curated(12, "parent"), NOW)).toEqual({
      next: "report",
      reason: "nothing new to learn: round 3's data differs from the parent's training data in 88 of 8610 examples (1.0%, under 2%), so a warm start from the parent would only train it longer",
      stop_reason: "nothing new to learn: round 3's data differs from the parent's training data in 88 of 8610 examples (1.0%, under 2%), so a warm start from the parent would only train it longer",
    });
    expect(route(curated(100, "parent"), NOW).next).toBe("trainer"); // 176 of 8610: 2.04%
    expect(route(curated(12, "candidate"), NOW).next).toBe("trainer"); // a repair starts from the candidate
    expect(route(curated(12, "base"), NOW).next).toBe("trainer"); // a fresh start is another recipe
  });

  it("stops at once when a step said the run cannot go on", () => {
    const why = "the registry's promoted version is now v9: nothing promoted";
    expect(route(roundTwo({}, { stop_reason: why }), NOW)).toEqual({ next: "report", reason: why, stop_reason: why });
  });

  it("does not stop in the middle of a round", () => {
    const midRound = maintainState({ minutes: 1 }, { started_at: START, diagnosis: DIAGNOSIS, data_versions: [dataVersion(1)] });
    expect(route(midRound, NOW).next).toBe("trainer");
  });
});
