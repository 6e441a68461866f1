import type { ClassificationExample, TokenExample } from "../data/index.ts";
import type { MemoryStore } from "../memory/index.ts";

type Remembered = ClassificationExample | TokenExample;
/** What the memory stores and compares of an example: its text (a token task's words joined by
 * spaces, as maintenance stores them) and its label or tags. */
const inputOf = (e: Remembered) => ("text" in e ? e.text : e.tokens.join(" "));
const labelOf = (e: Remembered) => ("label" in e ? e.label : e.tags);

/** Cosine similarity at or above which a synthesized example repeats one kept before it. */
export const NEAR_DUPLICATE_SIMILARITY = 0.92;

/**
 * Synthesized examples that say nearly what a seed or an earlier kept example says, found through
 * the LanceDB memory: the seeds and the candidates are stored as the run's examples (so later runs
 * and maintenance see them), then each candidate's nearest stored examples are searched. A candidate
 * is dropped when one of them, other than itself, is a seed, a candidate before it that was kept, or
 * one kept in an earlier round (`earlier`).
 */
export async function nearDuplicateDrops<E extends Remembered>(
  memory: MemoryStore,
  runId: string,
  seeds: readonly E[],
  candidates: readonly E[],
  options: { threshold?: number; earlier?: readonly E[] } = {},
): Promise<Map<string, { of: string; similarity: number }>> {
  const threshold = options.threshold ?? NEAR_DUPLICATE_SIMILARITY;
  const dataVersion = `cold-start/${runId}`;
  const key = (e: Remembered, source: "original" | "synthesized") => `${runId}/${source === "original" ? "seed" : "candidate"}/${e.id}`;
  await memory.addExamples([
    ...seeds.map((e) => ({ id: key(e, "original"), run_id: runId, data_version: dataVersion, input: inputOf(e), label: labelOf(e), source: "original" as const })),
    ...candidates.map((e) => ({ id: key(e, "synthesized"), run_id: runId, data_version: dataVersion, input: inputOf(e), label: labelOf(e), source: "synthesized" as const })),
  ]);
  const order = new Map(candidates.map((e, i) => [key(e, "synthesized"), { index: i, id: e.id }]));
  const seedIds = new Map(seeds.map((e) => [key(e, "original"), e.id]));
  // Candidates kept in earlier rounds are stored already; a hit on one is a repeat.
  const earlierIds = new Map((options.earlier ?? []).map((e) => [key(e, "synthesized"), e.id]));
  const hits = await memory.nearDuplicates(candidates.map(inputOf), { threshold, dataVersion, k: 8 });
  const drops = new Map<string, { of: string; similarity: number }>();
  candidates.forEach((e, i) => {
    for (const hit of hits[i] ?? []) {
      const seed = seedIds.get(hit.id);
      const earlier = order.get(hit.id);
      const of = seed !== undefined ? `seed ${seed}` : earlierIds.get(hit.id) ?? (earlier && earlier.index < i && !drops.has(earlier.id) ? earlier.id : null);
      if (of) {
        drops.set(e.id, { of, similarity: hit.similarity });
        return;
      }
    }
  });
  return drops;
}
