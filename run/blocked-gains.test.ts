import { describe, expect, it } from "vitest";
import { candidateOf, gateVerdict, scores } from "../test-support/maintain-state.ts";
import { blockedGainLine, blockedGains } from "./blocked-gains.ts";
import type { Candidate, Decision } from "./types.ts";

const evaluated = (round: number, task: number, before: number, verdict: Candidate["verdict"], promoted: string | null = null): { candidate: Candidate; decision: Decision } => ({
  candidate: { ...candidateOf(round), scores: scores(task), verdict, promoted_id: promoted },
  decision: { agent: "evaluator", round, at: "2026-01-01T10:00:00.000Z", decision: { candidate: `round-${round}`, task_before: before, task_after: task } },
});

const flipsVerdict = (ids: string[]) => ({ ...gateVerdict(false, [`${ids.length} flips (right before, wrong now) exceed the budget epsilon=2`]), flips: { total: ids.length, per_set: { regression: ids } } });

describe("blockedGains", () => {
  it("lists candidates that gained but were rejected for regressions, best gain first, and nothing else", () => {
    const rounds = [
      evaluated(1, 0.9, 0.5, flipsVerdict(["a", "b", "c", "d"])), // +40 points, 4 flips
      evaluated(2, 0.95, 0.5, flipsVerdict(["a", "b", "c"])), // +45 points, 3 flips
      evaluated(3, 0.5, 0.5, { ...gateVerdict(false, ["no gain on held-out data"]), failed: ["no_gain"] }), // no gain
      evaluated(4, 0.45, 0.5, flipsVerdict(["a", "b", "c"])), // lost on dev: nothing to buy
      evaluated(5, 0.96, 0.5, gateVerdict(true), "v0002"), // promoted
    ];
    const blocked = blockedGains(rounds.map((r) => r.candidate), rounds.map((r) => r.decision));
    expect(blocked.map((b) => [b.candidate, b.flips])).toEqual([["round-2", 3], ["round-1", 4]]);
    expect(blocked[0]!.gain).toBeCloseTo(0.45);
    expect(blocked[0]!.flip_ids).toEqual(["a", "b", "c"]);
    expect(blockedGainLine(blocked[0]!, "production accuracy", 2)).toMatch(/^round-2: production accuracy 50\.00 -> 95\.00 \(\+45\.00 points\) at 3 flips \(budget 2\): accepting 3 flips would buy \+45\.00 points; the gate said: 3 flips/);
  });

  it("leaves out a candidate whose evaluation left no decision (no parent metric to compare)", () => {
    const { candidate } = evaluated(1, 0.9, 0.5, flipsVerdict(["a"]));
    expect(blockedGains([candidate], [])).toEqual([]);
  });
});
