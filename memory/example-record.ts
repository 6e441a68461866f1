import { Schema } from "apache-arrow";
import { z } from "zod";
import { createdAt, text, vector } from "./arrow-columns.ts";
import { Id, IsoTimestamp, TextOrTokens } from "./record-fields.ts";
import type { TableSpec } from "./table-spec.ts";

/** Where a training example came from. */
export const ExampleSource = z.enum(["original", "relabeled", "synthesized", "replay", "failure", "hard_negative"]);
export type ExampleSource = z.infer<typeof ExampleSource>;

/** One training example of a data version. Token tasks may pass tokens / tags as arrays: they are
 * stored joined with single spaces. */
export const ExampleRecord = z.object({
  id: Id,
  run_id: Id,
  data_version: z.string().min(1, "must not be empty"),
  input: TextOrTokens,
  label: TextOrTokens,
  source: ExampleSource,
});
export type ExampleRecordInput = z.input<typeof ExampleRecord>;
export type ExampleRecord = z.output<typeof ExampleRecord>;

export const StoredExample = ExampleRecord.extend({ created_at: IsoTimestamp });
export type StoredExample = z.output<typeof StoredExample>;

export const examplesTable: TableSpec<ExampleRecord, StoredExample> = {
  name: "examples",
  record: ExampleRecord,
  arrowSchema: (dim) =>
    new Schema([text("id"), text("run_id"), text("data_version"), text("input"), text("label"), text("source"), createdAt(), vector(dim)]),
  embedText: (r) => r.input,
  toRow: (r) => ({ ...r }),
  fromRow: (row) => StoredExample.parse(row),
};
