/** Brute-force cosine nearest neighbours over unit-length vectors (dot product). Fine for pools of
 * tens of thousands on CPU; the memory's LanceDB index serves cross-run look-ups. */
export interface Neighbour {
  index: number;
  similarity: number;
}

export function toMatrix(vectors: readonly (readonly number[])[]): { data: Float32Array; dim: number; n: number } {
  const dim = vectors[0]?.length ?? 0;
  const data = new Float32Array(vectors.length * dim);
  vectors.forEach((v, i) => data.set(v, i * dim));
  return { data, dim, n: vectors.length };
}

export function nearestNeighbours(query: readonly number[], pool: { data: Float32Array; dim: number; n: number }, k: number): Neighbour[] {
  const best: Neighbour[] = [];
  for (let i = 0; i < pool.n; i++) {
    let dot = 0;
    const offset = i * pool.dim;
    for (let d = 0; d < pool.dim; d++) dot += (query[d] ?? 0) * (pool.data[offset + d] ?? 0);
    if (best.length < k || dot > (best[best.length - 1]?.similarity ?? -Infinity)) {
      best.push({ index: i, similarity: dot });
      best.sort((a, b) => b.similarity - a.similarity);
      if (best.length > k) best.pop();
    }
  }
  return best;
}

/** Similarity-weighted share of each label among the neighbours. */
export function labelShares(neighbours: readonly Neighbour[], labelOf: (index: number) => string): Map<string, number> {
  const shares = new Map<string, number>();
  const total = neighbours.reduce((s, n) => s + Math.max(n.similarity, 0), 0) || 1;
  for (const n of neighbours) shares.set(labelOf(n.index), (shares.get(labelOf(n.index)) ?? 0) + Math.max(n.similarity, 0) / total);
  return shares;
}
