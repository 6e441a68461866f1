import type { ExampleRecordInput } from "./example-record.ts";
import type { ExperimentRecordInput } from "./experiment-record.ts";
import type { FailureRecordInput } from "./failure-record.ts";

/** Valid records for tests, with the fields a test cares about overridden. */

export const failure = (over: Partial<FailureRecordInput> = {}): FailureRecordInput => ({
  id: "f1",
  run_id: "run-1",
  input: "my card has not arrived",
  gold: "card_arrival",
  prediction: "card_delivery_estimate",
  confidence: 0.61,
  cause: "confusable_pair",
  cluster: "c0",
  model_version: "v1",
  stage: "maintenance-1",
  fixable: true,
  accepted: false,
  ...over,
});

export const experiment = (over: Partial<ExperimentRecordInput> = {}): ExperimentRecordInput => ({
  id: "e1",
  run_id: "run-1",
  task: "banking77 classification",
  parent_model: "v1",
  candidate_model: "v2",
  strategy: "lora+hard_negatives",
  hyperparameters: { lr: 0.0002, epochs: 3, lora: { r: 8, alpha: 16 } },
  data_delta: { added: 40, removed: 3, relabeled: 5, why: "hard negatives for card_arrival vs card_delivery_estimate", by_source: { hard_negative: 40 } },
  failure_summary: "confusable_pair card_arrival->card_delivery_estimate x12",
  metrics_before: { accuracy: 0.81, macro_f1: 0.79 },
  metrics_after: { accuracy: 0.85, macro_f1: 0.83 },
  gain: 0.04,
  verdict: "promoted",
  reasons: ["gain 0.04 on held-out", "2 flips within budget 5"],
  ...over,
});

export const example = (over: Partial<ExampleRecordInput> = {}): ExampleRecordInput => ({
  id: "x1",
  run_id: "run-1",
  data_version: "d1",
  input: "where is my card",
  label: "card_arrival",
  source: "original",
  ...over,
});
