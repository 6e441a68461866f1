import { describe, expect, it } from "vitest";
import type { RankedExperiment } from "../memory/index.ts";
import { planTargetStrategies } from "./strategy-plan.ts";

const past = (id: string, strategy: string, verdict: "promoted" | "rejected", gain: number, similarity = 0.8): RankedExperiment => ({
  id, run_id: id.split("/")[0]!, task: "generation", parent_model: "p", candidate_model: "c", strategy, hyperparameters: {},
  data_delta: { added: 1, removed: 0, relabeled: 0, why: "" }, failure_summary: "s", metrics_before: {}, metrics_after: {}, gain, verdict, reasons: [],
  created_at: "2026-12-01T00:00:00.000Z", similarity, score: similarity * Math.max(gain, 0),
});

describe("planTargetStrategies", () => {
  it("tries the answer baseline first, then rationale, then self, when nothing is remembered", () => {
    const { plan, skipped } = planTargetStrategies(["answer", "rationale", "self"], { rationales: 10 }, []);
    expect(plan.map((p) => p.strategy)).toEqual(["answer", "rationale", "self"]);
    expect(skipped).toEqual([]);
  });

  it("starts from the strategy that won on a similar task, and ignores rejected and unknown ones", () => {
    const remembered = [past("run-a/v3", "targets: rationale", "promoted", 0.58), past("run-a/v2", "targets: answer", "rejected", 0), past("run-b/v1", "full", "promoted", 0.1)];
    const { plan } = planTargetStrategies(["answer", "rationale", "self"], { rationales: 10 }, remembered);
    expect(plan.map((p) => p.strategy)).toEqual(["rationale", "answer", "self"]);
    expect(plan[0]).toMatchObject({ from_memory: "run-a/v3" });
    expect(plan[0]!.why).toContain("+58.0 points");
  });

  it("keeps self after the rationale student it samples from, even when self won before", () => {
    const { plan } = planTargetStrategies(["answer", "rationale", "self"], { rationales: 10 }, [past("run-a/v4", "targets: self", "promoted", 0.6)]);
    expect(plan.map((p) => p.strategy)).toEqual(["rationale", "self", "answer"]);
  });

  it("skips rationale and self, saying why, when no example has a rationale", () => {
    const { plan, skipped } = planTargetStrategies(["answer", "rationale", "self"], { rationales: 0 }, []);
    expect(plan.map((p) => p.strategy)).toEqual(["answer"]);
    expect(skipped.map((s) => s.strategy)).toEqual(["rationale", "self"]);
    expect(skipped[0]!.why).toBe("no example has a rationale");
  });

  it("drops self when rationale is not among the strategies to try", () => {
    const { plan, skipped } = planTargetStrategies(["answer", "self"], { rationales: 5 }, []);
    expect(plan.map((p) => p.strategy)).toEqual(["answer"]);
    expect(skipped).toEqual([{ strategy: "self", why: expect.stringContaining("rationale is not tried") }]);
  });
});
