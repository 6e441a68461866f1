import { describe, expect, it } from "vitest";
import type { GateFailure, GateVerdict } from "../../evals/regression-gate.ts";
import type { Candidate, ModelScores } from "../../run/types.ts";
import type { RankedExperiment } from "../../memory/index.ts";
import { epochsForMinSteps, MAX_REPAIRS, type PlanRoundInput, planRound, repairChain } from "./round-plan.ts";

const scores = (task: number): ModelScores => ({ task, dev: {}, failures: { n: 10, fixed: 5, accuracy: 0.5 }, regression: { n: 20, accuracy: 1 } });

function verdict(pass: boolean, reasons: string[], flipIds: string[] = [], failed: GateFailure[] = []): GateVerdict {
  return {
    pass,
    failed,
    reasons,
    flips: { total: flipIds.length, per_set: { regression: flipIds } },
    class_drops: [],
    delta_ci: { delta: 0, low: -0.01, high: 0.01, confidence: 0.95, samples: 1000 },
    per_set: { regression: { n: 20, parent_accuracy: 1, candidate_accuracy: 1 } },
    thresholds: { epsilon: 2, delta: 0.1, min_class_support: 5 },
  };
}

function candidate(round: number, overrides: Partial<Candidate> = {}): Candidate {
  return {
    id: `round-${round}`,
    round,
    data_hash: `hash${round}`,
    strategy: "full",
    hyperparameters: { strategy: "full", init_from: "base", epochs: 3, learning_rate: 1e-4 },
    model_dir: `/models/round-${round}`,
    train_metrics: {},
    ...overrides,
  };
}

function plan(overrides: Partial<PlanRoundInput> = {}) {
  return planRound({ kind: "classification", round: 1, parentMetric: 0.85, target: 0.9, poolNoiseShare: 0, history: [], pastStrategies: [], ...overrides });
}

function remembered(similarity: number, overrides: Partial<RankedExperiment> = {}): RankedExperiment {
  return {
    id: "run-0/round-1",
    run_id: "run-0",
    task: "classification over 6 labels",
    parent_model: "v1",
    candidate_model: "v2",
    strategy: "lora",
    hyperparameters: { strategy: "lora", init_from: "parent", epochs: 6, learning_rate: 5e-4 },
    data_delta: { added: 3, removed: 1, relabeled: 2, why: "" },
    failure_summary: "12 failures: confusable_pair 12",
    metrics_before: { task: 0.8 },
    metrics_after: { task: 0.85 },
    gain: 0.05,
    verdict: "promoted",
    reasons: [],
    created_at: "2026-01-01T00:00:00.000Z",
    similarity,
    score: similarity * 0.05,
    ...overrides,
  };
}

describe("planRound (offline trainer policy)", () => {
  it("rebuilds from the base model on a noisy pool", () => {
    const out = plan({ poolNoiseShare: 0.25, parentMetric: 0.89 });
    expect(out.band).toBe("rebuild");
    expect(out.training).toMatchObject({ strategy: "full", init_from: "base", epochs: 5, learning_rate: 1e-4 });
    expect(out.curation).toMatchObject({ clean: "relabel", anchor_regression: true, replay_share: 1 });
    expect(out.reason).toMatch(/25% of the pool is suspect/);
  });

  it("gives small pools enough epochs for a minimum number of steps when rebuilding from the base model", () => {
    expect(epochsForMinSteps(10_000, 3)).toBe(3);
    expect(epochsForMinSteps(1000, 3)).toBe(7);
    expect(epochsForMinSteps(0, 3)).toBe(3);
    expect(plan({ parentMetric: 0.7, poolSize: 1600 }).training.epochs).toBe(5);
    expect(plan({ parentMetric: 0.7, poolSize: 1000 }).training.epochs).toBe(7);
    expect(plan({ parentMetric: 0.7, poolSize: 1600, maxEpochs: 1 }).training.epochs).toBe(1);
  });

  it("rebuilds when far below target, five epochs for either task kind", () => {
    expect(plan({ parentMetric: 0.7 }).band).toBe("rebuild");
    expect(plan({ parentMetric: 0.7 }).training.epochs).toBe(5);
    expect(plan({ parentMetric: 0.7, kind: "token" }).training.epochs).toBe(5);
  });

  it("only retypes token pool entities confident learning is sure of, and weighs all-O anchors 1", () => {
    expect(plan({ parentMetric: 0.7, kind: "token" }).curation).toMatchObject({ clean: "relabel", relabel_min_prob: 0.7, plain_anchor_weight: 1 });
    expect(plan({ parentMetric: 0.7 }).curation).toMatchObject({ clean: "relabel", relabel_min_prob: 0.5 });
  });

  it("stops rebuilding for noise once a cleaned data version was promoted", () => {
    const promoted = candidate(1, { scores: scores(0.86), verdict: verdict(true, ["passed"]), promoted_id: "v2" });
    expect(plan({ round: 2, poolNoiseShare: 0.25, history: [promoted] }).band).toBe("tune");
  });

  it("tunes from the parent on a small gap", () => {
    const out = plan({ parentMetric: 0.85, target: 0.9 });
    expect(out.band).toBe("tune");
    expect(out.training).toMatchObject({ strategy: "full", init_from: "parent", epochs: 2, learning_rate: 5e-5 });
  });

  it("retrains only the head from the parent at target, replaying a share of the pool", () => {
    const out = plan({ parentMetric: 0.89, target: 0.9 });
    expect(out.band).toBe("targeted");
    expect(out.training).toMatchObject({ strategy: "head", init_from: "parent", epochs: 10, learning_rate: 1e-3 });
    expect(out.curation.replay_share).toBe(0.3);
  });

  it("after a candidate rejected for flips: warm start, half the learning rate, anchor weight 4", () => {
    const rejected = candidate(1, {
      hyperparameters: { strategy: "full", init_from: "base", epochs: 3, learning_rate: 1e-4 },
      scores: scores(0.84),
      verdict: verdict(false, ["5 flips (right before, wrong now) exceed the budget epsilon=2: ids a, b, c, d, e"], ["a", "b", "c", "d", "e"], ["flips"]),
      promoted_id: null,
    });
    const out = plan({ round: 2, history: [rejected] });
    expect(out.training).toMatchObject({ strategy: "full", init_from: "parent", epochs: 2, learning_rate: 5e-5 });
    expect(out.curation).toMatchObject({ anchor_weight: 4, failure_weight: 2 });
    expect(out.reason).toMatch(/round 1 was rejected \(5 flips/);
  });

  it("after a head-only candidate rejected for a class drop: the full warm start halves the full rate, not the head's", () => {
    const head = candidate(2, {
      strategy: "head",
      hyperparameters: { strategy: "head", init_from: "parent", epochs: 10, learning_rate: 1e-3 },
      scores: scores(0.84),
      verdict: verdict(false, ['recall of class "product" on set "dev" fell from 0.32 to 0.14'], [], ["class_drop"]),
      promoted_id: null,
    });
    const promoted = candidate(1, { scores: scores(0.86), verdict: verdict(true, ["passed"]), promoted_id: "v2" });
    const out = plan({ round: 3, kind: "token", history: [promoted, head] });
    expect(out.training).toMatchObject({ strategy: "full", init_from: "parent", learning_rate: 5e-5 });
  });

  it("repairs a candidate that gained but broke regression examples, again while each repair breaks fewer", () => {
    const flipped = (ids: string[]) => verdict(false, [`${ids.length} flips (right before, wrong now) exceed the budget epsilon=2`], ids, ["flips"]);
    const broke = candidate(1, { scores: scores(0.88), verdict: flipped(["r1", "r2", "r3", "r4"]), promoted_id: null });
    const out = plan({ round: 2, history: [broke] });
    expect(out.training).toMatchObject({ init_from: "candidate", epochs: 1, learning_rate: 3e-5 });
    expect(out.curation).toMatchObject({ emphasize_ids: ["r1", "r2", "r3", "r4"] });
    const repair = (round: number, ids: string[]) => candidate(round, { scores: scores(0.88), verdict: flipped(ids), promoted_id: null, hyperparameters: { ...out.training } });
    // Fewer flips: repaired again, with everything broken so far emphasized.
    const better = plan({ round: 3, history: [broke, repair(2, ["r2", "r5", "r6"])] });
    expect(better.training.init_from).toBe("candidate");
    expect(better.curation.emphasize_ids).toEqual(["r1", "r2", "r3", "r4", "r5", "r6"]);
    expect(better.reason).toMatch(/repair 1 of it broke fewer/);
    // As many flips: the repairs stop.
    expect(plan({ round: 3, history: [broke, repair(2, ["r1", "r2", "r3", "r4"])] }).training.init_from).toBe("parent");
    // MAX_REPAIRS in a row: the repairs stop, however well they go.
    expect(plan({ round: 4, history: [broke, repair(2, ["r1", "r2", "r3"]), repair(3, ["r1", "r2"])] }).training.init_from).toBe("parent");
    expect(MAX_REPAIRS).toBe(2);
  });

  it("repairChain: the last candidate that is not a repair and the repairs after it", () => {
    const c1 = candidate(1);
    const r = (round: number) => candidate(round, { hyperparameters: { strategy: "full", init_from: "candidate", epochs: 1, learning_rate: 3e-5 } });
    expect(repairChain([])).toEqual([]);
    expect(repairChain([c1]).map((c) => c.id)).toEqual(["round-1"]);
    expect(repairChain([c1, r(2), r(3)]).map((c) => c.id)).toEqual(["round-1", "round-2", "round-3"]);
    expect(repairChain([c1, r(2), candidate(3), r(4)]).map((c) => c.id)).toEqual(["round-3", "round-4"]);
  });

  it("after a candidate rejected only for no gain: the other starting point with more epochs", () => {
    const flat = candidate(1, {
      scores: scores(0.85),
      verdict: verdict(false, ["no gain on held-out data: accuracy 0.8500 -> 0.8500"], [], ["no_gain"]),
      promoted_id: null,
    });
    const out = plan({ round: 2, history: [flat] });
    expect(out.training).toMatchObject({ strategy: "full", init_from: "parent", epochs: 4 });
    expect(out.curation.anchor_weight).toBe(2);
  });

  it("after a promotion: a second cleaning pass with the promoted model's opinions and a warm start from it", () => {
    const p = plan({ round: 2, parentMetric: 0.9, history: [candidate(1, { scores: scores(0.9), verdict: verdict(true, ["ok"]), promoted_id: "v0002" })] });
    expect(p.training).toMatchObject({ init_from: "parent", strategy: "full", learning_rate: 5e-5 });
    expect(p.curation.model_relabel_from).toBe("parent");
    expect(p.reason).toMatch(/promoted/);
  });

  it("reuses a promoted experiment remembered for similar failures in round 1", () => {
    const out = plan({ poolNoiseShare: 0.25, pastStrategies: [remembered(0.7)] });
    expect(out.from_memory).toBe("run-0/round-1");
    expect(out.training).toMatchObject({ strategy: "lora", init_from: "parent", epochs: 6, learning_rate: 5e-4 });
    expect(out.reason).toMatch(/memory: experiment run-0\/round-1/);
  });

  it("ignores remembered experiments that are too dissimilar, rejected, or come after round 1", () => {
    expect(plan({ pastStrategies: [remembered(0.49)] }).from_memory).toBeNull();
    expect(plan({ pastStrategies: [remembered(0.9, { verdict: "rejected" })] }).from_memory).toBeNull();
    const promoted = candidate(1, { scores: scores(0.86), verdict: verdict(true, ["passed"]), promoted_id: "v2" });
    expect(plan({ round: 2, history: [promoted], pastStrategies: [remembered(0.9)] }).from_memory).toBeNull();
  });

  it("caps epochs at max_epochs on every path", () => {
    const rejected = candidate(1, { scores: scores(0.84), verdict: verdict(false, ["5 flips"], ["a", "b", "c", "d", "e"], ["flips"]), promoted_id: null });
    const flat = candidate(1, { scores: scores(0.85), verdict: verdict(false, ["no gain on held-out data: x"], [], ["no_gain"]), promoted_id: null });
    const epochs = [
      plan({ poolNoiseShare: 0.25, maxEpochs: 2 }),
      plan({ parentMetric: 0.7, kind: "token", maxEpochs: 2 }),
      plan({ maxEpochs: 1.5 }),
      plan({ parentMetric: 0.89, maxEpochs: 2 }),
      plan({ round: 2, history: [rejected], maxEpochs: 1 }),
      plan({ round: 2, history: [flat], maxEpochs: 2 }),
      plan({ pastStrategies: [remembered(0.9)], maxEpochs: 2 }),
    ].map((p) => p.training.epochs);
    expect(epochs).toEqual([2, 2, 1.5, 2, 1, 2, 2]);
  });
});
