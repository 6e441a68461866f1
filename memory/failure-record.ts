import { Schema } from "apache-arrow";
import { z } from "zod";
import { bool, createdAt, float, text, vector } from "./arrow-columns.ts";
import { Id, IsoTimestamp, TextOrTokens } from "./record-fields.ts";
import type { TableSpec } from "./table-spec.ts";

/** Why a production example failed, as the diagnostician judges it. */
export const FailureCause = z.enum([
  "wrong_feedback",
  "coverage_gap",
  "confusable_pair",
  "out_of_scope",
  "garbled_input",
  "model_error",
  "unknown",
]);
export type FailureCause = z.infer<typeof FailureCause>;

/** One diagnosed production failure of a deployed model. Token tasks may pass tokens / tags as
 * arrays: they are stored joined with single spaces. */
export const FailureRecord = z.object({
  id: Id,
  run_id: Id,
  input: TextOrTokens,
  gold: TextOrTokens,
  /** The model's answer: a label, or the predicted tags of a token task. */
  prediction: TextOrTokens,
  confidence: z.number().nullable().default(null),
  cause: FailureCause.default("unknown"),
  cluster: z.string().default(""),
  model_version: z.string(),
  stage: z.string(),
  fixable: z.boolean(),
  /** Whether the gold was used as training data. */
  accepted: z.boolean(),
});
export type FailureRecordInput = z.input<typeof FailureRecord>;
export type FailureRecord = z.output<typeof FailureRecord>;

export const StoredFailure = FailureRecord.extend({ created_at: IsoTimestamp });
export type StoredFailure = z.output<typeof StoredFailure>;

export const failuresTable: TableSpec<FailureRecord, StoredFailure> = {
  name: "failures",
  record: FailureRecord,
  arrowSchema: (dim) =>
    new Schema([
      text("id"),
      text("run_id"),
      text("input"),
      text("gold"),
      text("prediction"),
      float("confidence", true),
      text("cause"),
      text("cluster"),
      text("model_version"),
      text("stage"),
      bool("fixable"),
      bool("accepted"),
      createdAt(),
      vector(dim),
    ]),
  embedText: (r) => r.input,
  toRow: (r) => ({ ...r }),
  fromRow: (row) => StoredFailure.parse(row),
};
