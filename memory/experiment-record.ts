import { Schema } from "apache-arrow";
import { z } from "zod";
import { createdAt, float, text, vector } from "./arrow-columns.ts";
import { Id, IsoTimestamp, JsonValue } from "./record-fields.ts";
import type { TableSpec } from "./table-spec.ts";

const Count = z.number().int().nonnegative();

/** What a candidate's data changed against its parent's, and why. Extra keys are kept. */
export const DataDelta = z.looseObject({
  added: Count,
  removed: Count,
  relabeled: Count,
  why: z.string(),
});
export type DataDelta = z.infer<typeof DataDelta>;

export const Verdict = z.enum(["promoted", "rejected"]);
export type Verdict = z.infer<typeof Verdict>;

/** One tried candidate: strategy, data delta, metrics and the gate's verdict. Its vector is the
 * embedding of failure_summary, so that later runs find what was tried on similar failures. */
export const ExperimentRecord = z.object({
  id: Id,
  run_id: Id,
  /** e.g. "banking77 classification". */
  task: z.string(),
  parent_model: z.string(),
  candidate_model: z.string(),
  strategy: z.string(),
  hyperparameters: z.record(z.string(), JsonValue),
  data_delta: DataDelta,
  /** What the failures were, e.g. "confusable_pair card_arrival->card_delivery_estimate x12; coverage_gap ...". */
  failure_summary: z.string().min(1, "must not be empty: it is what later runs search by"),
  metrics_before: z.record(z.string(), z.number()),
  metrics_after: z.record(z.string(), z.number()),
  /** Task metric after minus before, on held-out data. */
  gain: z.number(),
  verdict: Verdict,
  reasons: z.array(z.string()),
});
export type ExperimentRecordInput = z.input<typeof ExperimentRecord>;
export type ExperimentRecord = z.output<typeof ExperimentRecord>;

export const StoredExperiment = ExperimentRecord.extend({ created_at: IsoTimestamp });
export type StoredExperiment = z.output<typeof StoredExperiment>;

const JSON_COLUMNS = ["hyperparameters", "data_delta", "metrics_before", "metrics_after", "reasons"] as const;

export const experimentsTable: TableSpec<ExperimentRecord, StoredExperiment> = {
  name: "experiments",
  record: ExperimentRecord,
  arrowSchema: (dim) =>
    new Schema([
      text("id"),
      text("run_id"),
      text("task"),
      text("parent_model"),
      text("candidate_model"),
      text("strategy"),
      text("hyperparameters"),
      text("data_delta"),
      text("failure_summary"),
      text("metrics_before"),
      text("metrics_after"),
      float("gain"),
      text("verdict"),
      text("reasons"),
      createdAt(),
      vector(dim),
    ]),
  embedText: (r) => r.failure_summary,
  toRow: (r) => {
    const row: Record<string, unknown> = { ...r };
    for (const column of JSON_COLUMNS) row[column] = JSON.stringify(r[column]);
    return row;
  },
  fromRow: (row) => {
    const decoded: Record<string, unknown> = { ...row };
    for (const column of JSON_COLUMNS) decoded[column] = JSON.parse(String(row[column]));
    return StoredExperiment.parse(decoded);
  },
};
