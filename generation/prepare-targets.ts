import { mkdtemp } from "node:fs/promises";
import { join } from "node:path";
import type { GenerationDataset } from "../data/index.ts";
import type { AnswerExtractor } from "../evals/answers.ts";
import { writeFileAtomic } from "../lib/atomic-write.ts";
import type { Sampling } from "../trainer/launcher.ts";
import { sampleSelfRationales, SELF_SAMPLING } from "./self-rationales.ts";
import type { NotTried } from "./strategy-search.ts";
import { describeRejected, type RejectedSample, type TargetStrategy, type TrainingRow, trainingRows } from "./targets.ts";

/** One strategy's training file, its rows and rejected samples, and for self targets what was sampled. */
export interface PreparedTargets {
  trainPath: string;
  rows: TrainingRow[];
  rejected: RejectedSample[];
  self: { sampled: number; reached: number; questions: number; from: string; temperature: number } | null;
}

export interface PrepareTargetsOptions {
  /** The training questions, by the file each came from (so rejected samples name their file and line). */
  train: readonly GenerationDataset[];
  extractor: AnswerExtractor;
  /** Where the training file (and the rejected samples beside it) is written. */
  dataDir: string;
  /** Where sampling writes its scratch files. */
  workDir: string;
  /** The rationale student self-rationales are sampled from (registry id and directory), if one was trained. */
  selfFrom: { id: string; dir: string } | null;
  sampling?: Sampling;
  threads?: number;
  log: (m: string) => void;
}

/**
 * The training data of one target strategy, written as `<dataDir>/targets-<strategy>-train.jsonl`:
 * for self targets the rationale student's outputs are sampled first; examples whose targets
 * cannot be made (no rationale, a rationale that misses the gold answer, no sampled output that
 * reached it) are written beside it as rejected, each naming file, line and field.
 */
export async function prepareTargets(strategy: TargetStrategy, o: PrepareTargetsOptions): Promise<{ prepared: PreparedTargets } | { notTried: NotTried }> {
  let selfRationales: Map<string, string> | undefined;
  let self: PreparedTargets["self"] = null;
  if (strategy === "self") {
    if (!o.selfFrom) return { notTried: { strategy, why: "no rationale student was trained to sample from" } };
    const sampling = o.sampling ?? SELF_SAMPLING;
    o.log(`self: sampling ${sampling.samples} outputs a question from the rationale student (temperature ${sampling.temperature})`);
    const questions: GenerationDataset = { kind: "generation", path: o.train.map((d) => d.path).join(" + "), examples: o.train.flatMap((d) => d.examples) };
    const sampled = await sampleSelfRationales(o.selfFrom.dir, questions, o.extractor, await mkdtemp(join(o.workDir, "self-")), sampling, o.threads ? { globalArgs: ["--threads", String(o.threads)] } : {});
    selfRationales = sampled.rationales;
    self = { sampled: sampled.sampled, reached: sampled.reached, questions: sampled.rationales.size, from: o.selfFrom.id, temperature: sampled.sampling.temperature };
  }
  const made = o.train.map((d) => trainingRows(d, strategy, o.extractor, selfRationales));
  const rows = made.flatMap((m) => m.rows);
  const rejected = made.flatMap((m) => m.rejected);
  if (rows.length === 0) return { notTried: { strategy, why: `every training example was rejected for its targets (first: ${describeRejected(rejected[0]!)})` } };
  const name = `targets-${strategy}`;
  const trainPath = join(o.dataDir, `${name}-train.jsonl`);
  await writeFileAtomic(trainPath, rows.map((r) => `${JSON.stringify(r)}\n`).join(""));
  if (rejected.length > 0) await writeFileAtomic(join(o.dataDir, `${name}-rejected.jsonl`), rejected.map((r) => `${JSON.stringify(r)}\n`).join(""));
  return { prepared: { trainPath, rows, rejected, self } };
}
