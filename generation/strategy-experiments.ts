import type { MemoryStore } from "../memory/index.ts";
import { strategyLabel } from "./strategy-plan.ts";
import type { TargetStrategy } from "./targets.ts";

/** One trained strategy of a generation run, as the memory keeps it. */
export interface StrategyOutcome {
  strategy: TargetStrategy;
  /** The candidate's registry id. */
  id: string;
  rows: number;
  rejected: number;
  train_s: number;
  exact_match: number;
  verdict: "promoted" | "rejected";
  reasons: string[];
}

/**
 * Every trained strategy as an experiment in the memory: its targets, its gain in exact match over
 * the baseline (cold start: answer-only targets when tried; maintenance: the deployed parent) on the
 * held-out questions, and whether it was promoted; searchable by the task's summary, so that a
 * similar task, or the next maintenance of this one, starts from the winner.
 */
export async function recordStrategyExperiments(
  memory: MemoryStore,
  runId: string,
  summary: string,
  baseline: { id: string; exact_match: number },
  outcomes: readonly StrategyOutcome[],
): Promise<number> {
  for (const c of outcomes) {
    await memory.addExperiment({
      id: `${runId}/${c.id}`,
      run_id: runId,
      task: "generation",
      parent_model: baseline.id,
      candidate_model: c.id,
      strategy: strategyLabel(c.strategy),
      hyperparameters: { targets: c.strategy, rows: c.rows, rejected: c.rejected, train_s: c.train_s },
      data_delta: { added: c.rows, removed: c.rejected, relabeled: 0, why: `targets: ${c.strategy}` },
      failure_summary: summary,
      metrics_before: { exact_match: baseline.exact_match },
      metrics_after: { exact_match: c.exact_match },
      gain: c.exact_match - baseline.exact_match,
      verdict: c.verdict,
      reasons: c.reasons,
    });
  }
  return outcomes.length;
}
