import { Annotation } from "@langchain/langgraph";
import type { RoundPlan } from "../agents/planner/schema.ts";
import type { Candidate, DataVersion, Decision, Diagnosis, ParentModel, RunFiles, TaskInfo } from "../run/types.ts";
import { type LlmUsage, mergeUsageByAgent } from "../llm/usage.ts";
import type { MaintainInput } from "./maintain-input.ts";

const replace = <T>(fallback: () => T) => Annotation<T>({ reducer: (_, next) => next, default: fallback });
const append = <T>() => Annotation<T[]>({ reducer: (all, more) => all.concat(more), default: () => [] });
/** Appends, except that an item whose id is already there replaces it (a candidate gets scored). */
const upsertById = <T extends { id: string }>() =>
  Annotation<T[]>({
    reducer: (all, more) => {
      const next = [...all];
      for (const item of more) {
        const at = next.findIndex((x) => x.id === item.id);
        if (at >= 0) next[at] = item;
        else next.push(item);
      }
      return next;
    },
    default: () => [],
  });

/** Everything the maintenance graph carries between nodes. Large data lives in files under the
 * run directory; the state holds their paths, so checkpoints stay small. */
export const MaintainState = Annotation.Root({
  input: Annotation<MaintainInput>,
  run_id: replace<string>(() => ""),
  started_at: replace<string>(() => ""),
  task: replace<TaskInfo | null>(() => null),
  files: replace<RunFiles | null>(() => null),
  baseline: replace<ParentModel | null>(() => null),
  parent: replace<ParentModel | null>(() => null),
  diagnosis: replace<Diagnosis | null>(() => null),
  data_versions: append<DataVersion>(),
  candidates: upsertById<Candidate>(),
  decisions: append<Decision>(),
  round: replace<number>(() => 1),
  rounds_without_promotion: replace<number>(() => 0),
  next_plan: replace<RoundPlan | null>(() => null),
  stop_reason: replace<string | null>(() => null),
  final_report: replace<{ markdown_path: string; json_path: string; html_path?: string; summary: Record<string, unknown> } | null>(() => null),
  errors: append<string>(),
  /** What the run's LLM calls cost, per agent (summed over the run). */
  llm_usage: Annotation<Record<string, LlmUsage>>({ reducer: mergeUsageByAgent, default: () => ({}) }),
});

export type MaintainStateType = typeof MaintainState.State;
export type MaintainUpdate = typeof MaintainState.Update;
