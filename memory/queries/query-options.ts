import type { z } from "zod";
import { InvalidMemoryQueryError } from "../memory-errors.ts";
import { describeIssues } from "../validate-records.ts";

/** Parses a query's options (applying defaults); bad ones throw, naming the option. */
export function parseOptions<T>(query: string, schema: z.ZodType<T>, options: unknown): T {
  const parsed = schema.safeParse(options ?? {});
  if (!parsed.success) throw new InvalidMemoryQueryError(query, describeIssues(parsed.error));
  return parsed.data;
}
