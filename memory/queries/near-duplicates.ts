import { z } from "zod";
import type { ExampleRecord, StoredExample } from "../example-record.ts";
import type { MemoryTable } from "../memory-table.ts";
import { equals } from "../sql-literal.ts";
import { parseOptions } from "./query-options.ts";

export const NearDuplicatesOptions = z.object({
  /** Cosine similarity at or above which an example counts as a duplicate. */
  threshold: z.number().min(-1).max(1).default(0.92),
  /** Only examples of this data version. */
  dataVersion: z.string().optional(),
  /** Duplicates reported per input at most. */
  k: z.number().int().positive().default(3),
});
export type NearDuplicatesOptions = z.input<typeof NearDuplicatesOptions>;

export interface NearDuplicate {
  id: string;
  input: string;
  label: string;
  data_version: string;
  source: StoredExample["source"];
  similarity: number;
}

/** Searches run at once; the native side does the work, this only bounds the queue. */
const CONCURRENCY = 8;

/** For each input (same order), the stored examples at or above the threshold, most similar first. */
export async function nearDuplicates(
  examples: MemoryTable<ExampleRecord, StoredExample>,
  inputs: readonly string[],
  options: NearDuplicatesOptions = {},
): Promise<NearDuplicate[][]> {
  const { threshold, dataVersion, k } = parseOptions("nearDuplicates", NearDuplicatesOptions, options);
  if (inputs.length === 0) return [];
  const vectors = await examples.embed([...inputs]);
  const where = dataVersion === undefined ? undefined : equals("data_version", dataVersion);
  const results: NearDuplicate[][] = [];
  for (let start = 0; start < vectors.length; start += CONCURRENCY) {
    const chunk = vectors.slice(start, start + CONCURRENCY);
    const found = await Promise.all(chunk.map((vector) => examples.nearest(vector, { k, where })));
    for (const hits of found) {
      results.push(
        hits
          .filter((h) => h.similarity >= threshold)
          .map((h) => ({ id: h.id, input: h.input, label: h.label, data_version: h.data_version, source: h.source, similarity: h.similarity })),
      );
    }
  }
  return results;
}
