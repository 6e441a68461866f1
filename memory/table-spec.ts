import type { Schema } from "apache-arrow";
import type { z } from "zod";

/** How one memory table maps records to rows: its validation, arrow schema, and embedded text.
 * R is a validated record (as callers hand it in), S the record as read back from the table. */
export interface TableSpec<R, S> {
  readonly name: string;
  /** Validates a record at the boundary; its output is what gets stored. */
  readonly record: z.ZodType<R>;
  arrowSchema(dim: number): Schema;
  /** The text whose embedding is the row's vector. */
  embedText(record: R): string;
  /** The row's columns, without `vector` and `created_at` (the store adds those). */
  toRow(record: R): Record<string, unknown>;
  /** Decodes a row read back (vector already dropped). */
  fromRow(row: Record<string, unknown>): S;
}
