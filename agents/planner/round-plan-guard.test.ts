import { describe, expect, it } from "vitest";
import { candidateOf, roundPlan } from "../../test-support/maintain-state.ts";
import { roundPlanViolation } from "./round-plan-guard.ts";
import type { RoundPlan } from "./schema.ts";

const context = { history: [], knownExperiments: new Set(["run-a/round-1"]) };
const withTraining = (over: Partial<RoundPlan["training"]>): RoundPlan => ({ ...roundPlan("parent"), training: { ...roundPlan("parent").training, ...over } });

describe("roundPlanViolation", () => {
  it("accepts a plan within the rules", () => {
    expect(roundPlanViolation(roundPlan("base"), context)).toBeNull();
    expect(roundPlanViolation({ ...roundPlan("parent"), from_memory: "run-a/round-1" }, context)).toBeNull();
  });

  it("rejects a repair without a candidate, epochs over the cap, a wild learning rate, unknown emphasis and memory", () => {
    expect(roundPlanViolation(roundPlan("candidate"), context)).toMatch(/has none yet/);
    expect(roundPlanViolation(roundPlan("candidate"), { ...context, history: [candidateOf(1, { pass: false })] })).toBeNull();
    expect(roundPlanViolation(withTraining({ epochs: 3 }), { ...context, maxEpochs: 2 })).toBe("epochs 3 exceed the run's cap of 2");
    expect(roundPlanViolation(withTraining({ epochs: 50 }), context)).toMatch(/cap of 20/);
    expect(roundPlanViolation(withTraining({ learning_rate: 1 }), context)).toMatch(/learning rate 1 is outside/);
    expect(roundPlanViolation({ ...roundPlan("parent"), curation: { ...roundPlan("parent").curation, emphasize_ids: ["r9"] } }, context)).toMatch(/emphasize_ids must be regression examples a candidate of this run flipped; not: r9/);
    expect(roundPlanViolation({ ...roundPlan("parent"), from_memory: "invented" }, context)).toMatch(/"invented", which is not a past experiment/);
  });
});
