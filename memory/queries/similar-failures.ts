import { z } from "zod";
import { FailureCause, type FailureRecord, type StoredFailure } from "../failure-record.ts";
import type { MemoryTable, WithSimilarity } from "../memory-table.ts";
import { allOf, equals, notEquals } from "../sql-literal.ts";
import { parseOptions } from "./query-options.ts";

export const SimilarFailuresOptions = z.object({
  k: z.number().int().positive().default(10),
  /** Leave out the failures of this run (typically the current one). */
  excludeRunId: z.string().optional(),
  /** Only failures diagnosed with this cause. */
  cause: FailureCause.optional(),
});
export type SimilarFailuresOptions = z.input<typeof SimilarFailuresOptions>;

/** Past failures nearest to a text (or a vector of the memory's size), most similar first. */
export async function similarFailures(
  failures: MemoryTable<FailureRecord, StoredFailure>,
  query: string | readonly number[],
  options: SimilarFailuresOptions = {},
): Promise<WithSimilarity<StoredFailure>[]> {
  const { k, excludeRunId, cause } = parseOptions("similarFailures", SimilarFailuresOptions, options);
  const where = allOf([
    excludeRunId === undefined ? undefined : notEquals("run_id", excludeRunId),
    cause === undefined ? undefined : equals("cause", cause),
  ]);
  return failures.nearest(await failures.vectorOf(query), { k, where });
}
