/** Gold examples and their predictions as parallel arrays, in gold order. */
export interface Aligned<G, P> {
  ids: string[];
  gold: G[];
  predictions: P[];
}

const MAX_IDS_IN_ERROR = 10;

/**
 * Pairs each gold example with the prediction of the same `id`, in gold order, so the parallel-array
 * metrics can be applied. Throws when an id is duplicated on either side, when a gold example has no
 * prediction, or when a prediction has no gold example (a silent mismatch would skew every metric).
 */
export function alignPredictions<G extends { id: string }, P extends { id: string }>(
  gold: readonly G[],
  predictions: readonly P[],
): Aligned<G, P> {
  const byId = new Map<string, P>();
  for (const p of predictions) {
    if (byId.has(p.id)) throw new Error(`alignPredictions: duplicate prediction id ${JSON.stringify(p.id)}`);
    byId.set(p.id, p);
  }
  const seen = new Set<string>();
  const missing: string[] = [];
  const aligned: Aligned<G, P> = { ids: [], gold: [], predictions: [] };
  for (const g of gold) {
    if (seen.has(g.id)) throw new Error(`alignPredictions: duplicate gold id ${JSON.stringify(g.id)}`);
    seen.add(g.id);
    const p = byId.get(g.id);
    if (p === undefined) {
      missing.push(g.id);
      continue;
    }
    aligned.ids.push(g.id);
    aligned.gold.push(g);
    aligned.predictions.push(p);
  }
  if (missing.length > 0) throw new Error(`alignPredictions: ${missing.length} gold examples have no prediction: ${listIds(missing)}`);
  const extra = predictions.filter((p) => !seen.has(p.id)).map((p) => p.id);
  if (extra.length > 0) throw new Error(`alignPredictions: ${extra.length} predictions have no gold example: ${listIds(extra)}`);
  return aligned;
}

function listIds(ids: string[]): string {
  const shown = ids.slice(0, MAX_IDS_IN_ERROR).join(", ");
  return ids.length > MAX_IDS_IN_ERROR ? `${shown}, …` : shown;
}
