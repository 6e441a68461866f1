import { describe, expect, it } from "vitest";
import { candidateOf, gateVerdict, maintainState, scores } from "../../test-support/maintain-state.ts";
import type { Decision } from "../../run/types.ts";
import { buildReport } from "./report.ts";

describe("buildReport", () => {
  it("says what the flip budget blocked and each round's out-of-scope fallback", () => {
    const blocked = { ...candidateOf(1), scores: scores(0.9), verdict: { ...gateVerdict(false, ["4 flips (right before, wrong now) exceed the budget epsilon=2"]), flips: { total: 4, per_set: { regression: ["a", "b", "c", "d"] } } }, promoted_id: null };
    const decisions: Decision[] = [
      { agent: "trainer", round: 1, at: "2026-01-01T10:01:00.000Z", decision: { oos_threshold: { threshold: 0.412, n: 180, oos_examples: 90, accuracy_before: 0.9, accuracy_after: 0.95, fallbacks: 12 } } },
      { agent: "evaluator", round: 1, at: "2026-01-01T10:02:00.000Z", decision: { candidate: "round-1", task_before: 0.5, task_after: 0.9 } },
    ];
    const state = maintainState({ epsilon: 2 }, { candidates: [blocked], decisions, task: { kind: "classification", labels: ["A", "B", "oos"], oos_label: "oos", metric: "accuracy" } });
    const { summary, md } = buildReport(state);
    expect(summary.blocked_gains).toMatchObject([{ candidate: "round-1", flips: 4, flip_ids: ["a", "b", "c", "d"] }]);
    expect(summary.blocked_gains[0]!.gain).toBeCloseTo(0.4);
    expect(md).toContain("**What the flip budget blocked** (the budget stays; a person may decide otherwise):");
    expect(md).toContain("- round-1: accuracy on dev 50.00 -> 90.00 (+40.00 points) at 4 flips (budget 2): accepting 4 flips would buy +40.00 points");
    expect(summary.rounds[0]!.oos_fallback).toMatchObject({ threshold: 0.412, fallbacks: 12 });
    expect(md).toContain(`Round 1's out-of-scope fallback: answers under confidence 0.412 become "oos" (chosen on the 180 dev examples, 90 out of scope: 90.00% -> 95.00%`);
  });

  it("says nothing of blocked gains when the candidate was promoted", () => {
    const promoted = { ...candidateOf(1), scores: scores(0.9), verdict: gateVerdict(true), promoted_id: "v0002" };
    const { summary, md } = buildReport(maintainState({}, { candidates: [promoted], decisions: [{ agent: "evaluator", round: 1, at: "2026-01-01T10:02:00.000Z", decision: { candidate: "round-1", task_before: 0.5, task_after: 0.9 } }] }));
    expect(summary.blocked_gains).toEqual([]);
    expect(md).not.toContain("flip budget blocked");
  });
});
