import { dataVersionHash, type Example } from "../data/index.ts";
import type { ModelRegistry } from "../trainer/registry.ts";

/** A model a cold start produced: how, in which round, where, its scores and what it learnt from. */
export interface RegisteredCandidate {
  method: string;
  round: number;
  dir: string;
  metrics: Record<string, number | undefined>;
  data: readonly Example[];
  id?: string;
}

/** Registers the candidates in order, each the child of the one before (the zero-shot model
 * first), and sets their ids. */
export async function registerCandidates(
  registry: ModelRegistry,
  candidates: readonly RegisteredCandidate[],
  common: { task_kind: "classification" | "token"; labels: string[]; base_model: string; task: string; hyperparameters: Record<string, string> },
): Promise<void> {
  let parent: string | null = null;
  for (const c of candidates) {
    c.id = (await registry.register({
      parent,
      model_dir: c.dir,
      data_version: dataVersionHash(c.data),
      task_kind: common.task_kind,
      labels: common.labels,
      base_model: common.base_model,
      strategy: c.method === "zero-shot" ? "head" : "full",
      hyperparameters: { cold_start: c.method, round: c.round, ...common.hyperparameters },
      metrics: Object.fromEntries(Object.entries(c.metrics).filter((e): e is [string, number] => e[1] !== undefined)),
      notes: `cold start (${c.method}${common.task_kind === "token" ? ", token task" : ""}) from: ${common.task.slice(0, 200)}`,
    })).id;
    parent = c.id;
  }
}
