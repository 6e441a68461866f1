import { createHash } from "node:crypto";
import type { GenerationDataset } from "../data/index.ts";
import { type AnswerExtractor, rationaleReachesAnswer, renderTarget } from "../evals/answers.ts";

/** What a generation student learns to write: the answer alone, a worked rationale then the
 * answer (chain-of-thought supervision from the data set's or the teacher's rationales), or its own
 * sampled rationales that reached the gold answer (self). */
export type TargetStrategy = "answer" | "rationale" | "self";
export const TARGET_STRATEGIES: readonly TargetStrategy[] = ["answer", "rationale", "self"];

/** A training row as the worker reads it: the target rendered for the strategy. */
export interface TrainingRow {
  id: string;
  text: string;
  target: string;
  weight?: number;
}

/** An example left out of a strategy's training data, and where it is. */
export interface RejectedSample {
  id: string;
  file: string;
  line: number | null;
  field: "rationale";
  why: string;
}

/**
 * The training rows of `dataset` for `strategy`. With `rationale`, an example is trained on only
 * when it has a rationale whose last line states the gold answer (rejection sampling, for data
 * sets' rationales as for the teacher's); with `self`, only when one of the student's sampled
 * outputs reached it (`selfRationales`, from sampleSelfRationales); the others are returned as
 * rejected, each naming file, line and field.
 */
export function trainingRows(
  dataset: GenerationDataset,
  strategy: TargetStrategy,
  extractor: AnswerExtractor,
  selfRationales?: ReadonlyMap<string, string>,
): { rows: TrainingRow[]; rejected: RejectedSample[] } {
  if (strategy === "self" && !selfRationales) throw new Error("self targets need the student's sampled rationales (sampleSelfRationales)");
  const rows: TrainingRow[] = [];
  const rejected: RejectedSample[] = [];
  dataset.examples.forEach((e, i) => {
    const weight = e.weight !== undefined ? { weight: e.weight } : {};
    if (strategy === "answer") {
      rows.push({ id: e.id, text: e.text, target: renderTarget(e.target), ...weight });
      return;
    }
    const where = { id: e.id, file: dataset.path, line: dataset.lines?.[i] ?? null, field: "rationale" as const };
    if (strategy === "self") {
      const own = selfRationales!.get(e.id);
      if (own) rows.push({ id: e.id, text: e.text, target: renderTarget(e.target, own), ...weight });
      else rejected.push({ ...where, why: "no sampled output of the student reached the answer" });
      return;
    }
    if (!e.rationale) rejected.push({ ...where, why: "no rationale" });
    else if (!rationaleReachesAnswer(e.rationale, e.target, extractor)) rejected.push({ ...where, why: `its last line does not state the answer ${JSON.stringify(e.target)}` });
    else rows.push({ id: e.id, text: e.text, target: renderTarget(e.target, e.rationale), ...weight });
  });
  return { rows, rejected };
}

/** The data version of training rows: sha256 of their JSON lines. */
export function trainingRowsHash(rows: readonly TrainingRow[]): string {
  const hash = createHash("sha256");
  for (const r of rows) hash.update(`${JSON.stringify(r)}\n`);
  return hash.digest("hex");
}

/** `file:line: field "rationale": why`, the way data errors read. */
export const describeRejected = (r: RejectedSample) => `${r.file}${r.line !== null ? `:${r.line}` : ""}: field "${r.field}": ${r.why}`;
