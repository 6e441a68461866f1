import type { GateVerdict } from "../evals/regression-gate.ts";
import { MaintainInput, type MaintainInputArgs } from "../graph/maintain-input.ts";
import type { MaintainStateType } from "../graph/state.ts";
import type { Candidate, DataVersion, Diagnosis, ModelScores, ParentModel } from "../run/types.ts";
import { RoundPlan } from "../agents/planner/schema.ts";
import type { TrainingChoice } from "../agents/trainer/schema.ts";

/** Hand-made maintenance-graph states for the pure planner and stop-condition tests: nothing on
 * disk is read, so paths are placeholders. */
export function scores(task: number): ModelScores {
  return { task, dev: {}, failures: { n: 10, fixed: 0, accuracy: 0 }, regression: { n: 20, accuracy: 1 } };
}

export function parentModel(task: number, id = "v1"): ParentModel {
  return { id, dir: `/models/${id}`, scores: scores(task), predictions_dir: `/predictions/${id}` };
}

export const DIAGNOSIS: Diagnosis = {
  accepted: ["f1"],
  rejected: [],
  clusters: [],
  counts: { model_error: 1 },
  summary: "1 failures: model_error 1",
  label_issues_path: "/diagnosis/label-issues.jsonl",
  similar_past_failures: 0,
};

export function dataVersion(round: number): DataVersion {
  return { hash: `${round}`.padStart(64, "0"), path: `/data/${round}.jsonl`, parent_hash: null, round, lineage: { added: 1, removed: 0, relabeled: 0, replayed: 10, replay_share: 1, why: [] } };
}

export function gateVerdict(pass: boolean, reasons: string[] = [pass ? "passed" : "5 flips"]): GateVerdict {
  return {
    pass,
    failed: pass ? [] : ["flips"],
    reasons,
    flips: { total: pass ? 0 : 5, per_set: { regression: [] } },
    class_drops: [],
    delta_ci: { delta: 0, low: -0.01, high: 0.01, confidence: 0.95, samples: 1000 },
    per_set: { regression: { n: 20, parent_accuracy: 1, candidate_accuracy: 1 } },
    thresholds: { epsilon: 2, delta: 0.1, min_class_support: 5 },
  };
}

export function candidateOf(round: number, evaluated?: { pass: boolean }): Candidate {
  return {
    id: `round-${round}`,
    round,
    data_hash: dataVersion(round).hash,
    strategy: "full",
    hyperparameters: { strategy: "full", init_from: "base", epochs: 3, learning_rate: 1e-4 },
    model_dir: `/models/round-${round}`,
    train_metrics: {},
    ...(evaluated ? { scores: scores(0.8), verdict: gateVerdict(evaluated.pass), promoted_id: evaluated.pass ? `v${round + 1}` : null } : {}),
  };
}

export function maintainState(input: Partial<MaintainInputArgs> = {}, overrides: Partial<MaintainStateType> = {}): MaintainStateType {
  return {
    input: MaintainInput.parse({ model: "v1", train_path: "/t.jsonl", regression_path: "/r.jsonl", failures_path: "/f.jsonl", run_dir: "/run", ...input }),
    run_id: "run-test",
    started_at: "2026-01-01T10:00:00.000Z",
    task: { kind: "classification", labels: ["A", "B"], oos_label: null, metric: "accuracy" },
    files: null,
    baseline: parentModel(0.8),
    parent: parentModel(0.8),
    diagnosis: null,
    data_versions: [],
    candidates: [],
    decisions: [],
    round: 1,
    rounds_without_promotion: 0,
    next_plan: null,
    stop_reason: null,
    final_report: null,
    errors: [],
    llm_usage: {},
    ...overrides,
  };
}

/** A round plan that trains from `initFrom` (the planner's stop checks read only that). */
export function roundPlan(initFrom: TrainingChoice["init_from"]): RoundPlan {
  return RoundPlan.parse({ band: "tune", curation: {}, training: { strategy: "full", init_from: initFrom, epochs: 2, learning_rate: 5e-5 }, reason: "test", from_memory: null });
}
