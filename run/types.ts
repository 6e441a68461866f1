import type { DataVersionDiff } from "../data/index.ts";
import type { GateVerdict } from "../evals/regression-gate.ts";
import type { DecisionMode } from "../llm/usage.ts";
import type { Review } from "./approval.ts";

/** The domain records of a maintenance run: what the graph state holds (paths, scores, verdicts) and
 * the run folder's files describe. */

export type TaskKind = "classification" | "token";

/** Metrics of one model on the run's evaluation sets. `task` is the headline number on held-out
 * data: accuracy (classification) or entity F1 (token). */
export interface ModelScores {
  task: number;
  dev: Record<string, unknown>;
  failures: { n: number; fixed: number; accuracy: number };
  regression: { n: number; accuracy: number };
  /** The gold of earlier runs on the model's lineage (absent when memory holds none). */
  earlier_runs?: { n: number; accuracy: number };
  /** The training-split guard (absent unless dev is a production dev set). */
  guard?: { n: number; accuracy: number };
}

export interface TaskInfo {
  kind: TaskKind;
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
  /** A held-out tenth of train when dev is a production log's (maintain --log): scored and
   * reported beside dev, as a guard against forgetting the training distribution. */
  guard?: string;
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
  /** A person's answer when the run asked for approval before promoting. */
  review?: Review;
}

export interface Decision {
  agent: string;
  round: number;
  decision: Record<string, unknown>;
  at: string;
  /** Which path decided (absent: a step with no choice to make, such as intake or training). */
  mode?: DecisionMode;
  /** Why the LLM's decision was not used (fallback or rejection), or that the budget was spent. */
  note?: string | null;
  /** Invalid LLM answers before the last one. */
  retries?: number;
}
