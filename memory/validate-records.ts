import type { z } from "zod";
import { InvalidMemoryRecordError } from "./memory-errors.ts";

/** "path.to.field: message" for each zod issue ("(record)" for the record itself). */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.length ? issue.path.join(".") : "(record)"}: ${issue.message}`);
}

/** Validates every record before any is written; the first bad one throws, naming its fields. */
export function validateRecords<R>(table: string, schema: z.ZodType<R>, records: readonly unknown[]): R[] {
  return records.map((record, index) => {
    const parsed = schema.safeParse(record);
    if (!parsed.success) throw new InvalidMemoryRecordError(table, index, describeIssues(parsed.error));
    return parsed.data;
  });
}
