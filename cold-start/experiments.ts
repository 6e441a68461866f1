import type { MemoryStore } from "../memory/index.ts";
import type { Candidate } from "./run-cold-start.ts";
import type { TaskSpec } from "./task-spec.ts";

const numbers = (m: Candidate["metrics"]) => Object.fromEntries(Object.entries(m).filter((e): e is [string, number] => typeof e[1] === "number"));

/** What a candidate's parent got wrong on the evaluation data, as later runs search it. */
function failureSummary(parent: Candidate): string {
  const pairs = (parent.confusions ?? []).slice(0, 8).map((p) => `confusable_pair ${p.gold}->${p.predicted} x${p.count}`);
  return pairs.length > 0 ? `cold start after ${parent.method} (round ${parent.round}): ${pairs.join("; ")}` : `cold start after ${parent.method} (round ${parent.round}): no confusion measured`;
}

/**
 * Every student of a cold start as an experiment in the LanceDB memory, next to maintenance's: its
 * parent (the candidate before it), what it learnt from, the scores before and after on the
 * evaluation data and whether it was promoted, searchable by what its parent confused.
 */
export async function recordColdStartExperiments(memory: MemoryStore, runId: string, spec: TaskSpec, candidates: readonly Candidate[], promoted: Candidate): Promise<number> {
  let recorded = 0;
  for (let i = 1; i < candidates.length; i++) {
    const parent = candidates[i - 1]!;
    const c = candidates[i]!;
    const sources = new Map<string, number>();
    for (const e of c.data) {
      const source = e.id.split("/")[0]!;
      sources.set(source, (sources.get(source) ?? 0) + 1);
    }
    const gain = c.metrics.accuracy !== undefined && parent.metrics.accuracy !== undefined ? c.metrics.accuracy - parent.metrics.accuracy : 0;
    await memory.addExperiment({
      id: `${runId}/${c.id}`,
      run_id: runId,
      task: `classification over ${spec.labels.length + (spec.oos_label ? 1 : 0)} labels`,
      parent_model: parent.id!,
      candidate_model: c.id!,
      strategy: `cold start: ${c.method}, round ${c.round}`,
      hyperparameters: { round: c.round, task_spec: spec.source, examples: c.data.length },
      data_delta: { added: Math.max(0, c.data.length - (parent.method === "student" ? parent.data.length : 0)), removed: 0, relabeled: 0, why: [...sources].map(([s, n]) => `${n} ${s}`).join(", ") },
      failure_summary: failureSummary(parent),
      metrics_before: numbers(parent.metrics),
      metrics_after: numbers(c.metrics),
      gain,
      verdict: c === promoted ? "promoted" : "rejected",
      reasons: [c === promoted ? "the best candidate on the evaluation data" : `not the best candidate (${promoted.method}, round ${promoted.round}, was promoted)`],
    });
    recorded++;
  }
  return recorded;
}
