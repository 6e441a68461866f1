import type { Candidate, DataVersion } from "./types.ts";

/**
 * The data versions a candidate's weights were trained on, oldest first, and whether the chain starts
 * from the run's deployed model (whose data then comes first). A warm start (from the deployed model
 * or from an earlier candidate) is trained on top of what that model learnt, and its own data version
 * may be only a replay share of the pool plus the new examples, so the model embodies the whole
 * chain, not its last version alone.
 */
export function learntDataVersions(candidates: readonly Pick<Candidate, "id" | "data_hash" | "hyperparameters" | "promoted_id">[], candidateId: string): { fromDeployed: boolean; hashes: string[] } {
  const hashes: string[] = [];
  let index = candidates.findIndex((c) => c.id === candidateId);
  if (index < 0) throw new Error(`candidate ${candidateId} is not in the run`);
  for (;;) {
    const c = candidates[index]!;
    hashes.unshift(c.data_hash);
    const from = c.hyperparameters.init_from;
    if (from === "base") return { fromDeployed: false, hashes };
    // "parent": the model deployed when it trained: the last one promoted before it, else the run's.
    const earlier = from === "candidate" ? index - 1 : candidates.slice(0, index).findLastIndex((p) => p.promoted_id);
    if (earlier < 0) return { fromDeployed: true, hashes };
    index = earlier;
  }
}

/** The data version the parent model was last trained on, when a round of this run promoted it
 * (undefined for the run's deployed model, whose training data the run does not know). */
export function parentTrainingData<V extends Pick<DataVersion, "hash">>(
  candidates: readonly Pick<Candidate, "data_hash" | "promoted_id">[],
  dataVersions: readonly V[],
  parentId: string | null,
): V | undefined {
  const promoting = parentId === null ? undefined : candidates.find((c) => c.promoted_id === parentId);
  return promoting && dataVersions.find((d) => d.hash === promoting.data_hash);
}
