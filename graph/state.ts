import { Annotation } from "@langchain/langgraph";
import type { DataVersionDiff } from "../data/index.ts";
import type { GateVerdict } from "../evals/regression-gate.ts";
import type { MaintainInput } from "./maintain-input.ts";

/** Metrics of one model on the run's evaluation sets. `task` is the headline number on held-out
 * data: accuracy (classification) or entity F1 (token). */
export interface ModelScores {
  task: number;
  dev: Record<string, unknown>;
  failures: { n: number; fixed: number; accuracy: number };
  regression: { n: number; accuracy: number };
  /** The gold of earlier runs on the model's lineage (absent when memory holds none). */
  earlier_runs?: { n: number; accuracy: number };
}

export interface TaskInfo {
  kind: "classification" | "token";
  labels: string[];
  oos_label: string | null;
  metric: "accuracy" | "entity_f1";
}

/** The model the loop improves on: the promoted version at the start, then each promoted candidate. */
export interface ParentModel {
  id: string | null;
  dir: string;
  scores: ModelScores;
  predictions_dir: string;
}

export interface RunFiles {
  train: string;
  regression: string;
  failures: string;
  dev: string;
  /** The gold of earlier runs on the deployed model's lineage (their accepted failures, from
   * memory), when memory holds any; the gate checks it like the regression set. */
  earlier_runs?: string;
}

export interface Diagnosis {
  /** Ids of failures accepted as new gold training examples. */
  accepted: string[];
  /** Ids rejected (suspected wrong feedback, garbled input, ...), with the cause. */
  rejected: { id: string; cause: string }[];
  clusters: { name: string; cause: string; size: number; fixable: boolean }[];
  counts: Record<string, number>;
  summary: string;
  /** Confident-learning findings over pool and failures (JSONL of LabelIssue, ids prefixed
   * `pool/` and `failure/`); the data curator reuses them. */
  label_issues_path: string;
  /** Failures of earlier runs in memory that resemble this run's. */
  similar_past_failures: number;
}

/** What a data version changed relative to the pool it was built from. A replay share below 1 means
 * the version holds only that share of the pool (plus the new examples): a batch for a warm start,
 * not the whole data the model embodies. */
export interface DataLineage {
  added: number;
  removed: number;
  relabeled: number;
  replayed: number;
  replay_share: number;
  why: string[];
}

export interface DataVersion {
  hash: string;
  path: string;
  parent_hash: string | null;
  round: number;
  lineage: DataLineage;
  /** How this version differs from the data the parent model was trained on, when that model was
   * trained in this run (null for the deployed model of the start, whose data is not known). */
  vs_parent_data?: DataVersionDiff | null;
}

export interface Candidate {
  id: string;
  round: number;
  data_hash: string;
  strategy: "head" | "lora" | "full";
  hyperparameters: Record<string, unknown>;
  model_dir: string;
  train_metrics: Record<string, unknown>;
  scores?: ModelScores;
  verdict?: GateVerdict;
  promoted_id?: string | null;
}

export interface Decision {
  agent: string;
  round: number;
  decision: Record<string, unknown>;
  at: string;
}

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
  next_plan: replace<Record<string, unknown> | null>(() => null),
  stop_reason: replace<string | null>(() => null),
  final_report: replace<{ markdown_path: string; json_path: string; summary: Record<string, unknown> } | null>(() => null),
  errors: append<string>(),
});

export type MaintainStateType = typeof MaintainState.State;
export type MaintainUpdate = typeof MaintainState.Update;
