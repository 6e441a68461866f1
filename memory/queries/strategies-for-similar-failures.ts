import { z } from "zod";
import type { ExperimentRecord, StoredExperiment } from "../experiment-record.ts";
import type { MemoryTable, WithSimilarity } from "../memory-table.ts";
import { parseOptions } from "./query-options.ts";

/** Experiments searched at most: the table holds one row per tried candidate, so this is all of
 * them in practice, and the ranking below is exact. */
const MAX_POOL = 10_000;

export const StrategiesOptions = z.object({
  k: z.number().int().positive().default(5),
  /** Past failure summaries less similar than this are not evidence for the present case. */
  minSimilarity: z.number().min(-1).max(1).default(0.3),
});
export type StrategiesOptions = z.input<typeof StrategiesOptions>;

export type RankedExperiment = WithSimilarity<StoredExperiment> & {
  /** similarity × max(gain, 0): how much this strategy's past success speaks for trying it now. */
  score: number;
};

/** Orders experiments: promoted first, then by score, then by similarity. */
export function rankExperiments(a: RankedExperiment, b: RankedExperiment): number {
  const promoted = Number(b.verdict === "promoted") - Number(a.verdict === "promoted");
  return promoted || b.score - a.score || b.similarity - a.similarity;
}

/** Past experiments whose failures resembled these: what was tried, what it gained, whether it
 * was promoted. Below-threshold ones are left out. */
export async function strategiesForSimilarFailures(
  experiments: MemoryTable<ExperimentRecord, StoredExperiment>,
  failureSummary: string,
  options: StrategiesOptions = {},
): Promise<RankedExperiment[]> {
  const { k, minSimilarity } = parseOptions("strategiesForSimilarFailures", StrategiesOptions, options);
  const pool = Math.min(MAX_POOL, Math.max(k, await experiments.count()));
  const nearest = await experiments.nearest(await experiments.vectorOf(failureSummary), { k: pool });
  return nearest
    .filter((e) => e.similarity >= minSimilarity)
    .map((e) => ({ ...e, score: e.similarity * Math.max(e.gain, 0) }))
    .sort(rankExperiments)
    .slice(0, k);
}
