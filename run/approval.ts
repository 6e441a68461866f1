import { z } from "zod";
import type { Example } from "../data/index.ts";
import type { GateVerdict } from "../evals/regression-gate.ts";
import { type Prediction, predictedLabel } from "../evals/types.ts";
import { inputText } from "../memory/embedder.ts";
import { goldOf } from "./score-model.ts";
import type { DataLineage, ModelScores } from "./types.ts";

/** What a person answers to a pending approval: from the CLI (`pioneer runs approve|reject`), the
 * SDK or Studio (`Command({ resume })`), or the chat graph. */
export const ApprovalAnswer = z.object({
  approved: z.boolean(),
  by: z.string().min(1).default("unknown").describe("who decided (a user name)"),
  reason: z.string().optional().describe("why, in their words"),
});
export type ApprovalAnswer = z.infer<typeof ApprovalAnswer>;
export type ApprovalAnswerArgs = z.input<typeof ApprovalAnswer>;

/** A person's decision as the run records it. */
export interface Review extends ApprovalAnswer {
  at: string;
}

/** Reads a resume value: a bare boolean means approved or not; anything else must be an answer. */
export function parseApprovalAnswer(value: unknown): ApprovalAnswer {
  const parsed = ApprovalAnswer.safeParse(typeof value === "boolean" ? { approved: value } : value);
  if (!parsed.success) {
    throw new Error(`an approval is resumed with { approved: boolean, by?: string, reason?: string }, got ${JSON.stringify(value)}: ${parsed.error.issues[0]?.message}`);
  }
  return parsed.data;
}

/** A right-to-wrong flip with its example, as a reviewer needs to see it. */
export interface FlipEvidence {
  set: string;
  id: string;
  text: string;
  gold: string;
  before: string;
  after: string;
}

/** The payload of the interrupt before a promotion: everything a reviewer needs to decide. */
export interface PromotionApprovalRequest {
  kind: "promotion";
  run_id: string;
  run_dir: string;
  round: number;
  candidate: string;
  parent: string | null;
  metric: string;
  before: ModelScores;
  after: ModelScores;
  gate: string[];
  flips: FlipEvidence[];
  data_changes: DataLineage | null;
  how_to_answer: string;
}

/** The payload of the interrupt before a fine-tune over the cost limit. */
export interface TrainingApprovalRequest {
  kind: "training";
  run_id: string;
  run_dir: string;
  round: number;
  plan: Record<string, unknown>;
  examples: number;
  epochs: number;
  /** Examples times epochs: what the fine-tune costs, in the unit of the limit. */
  estimated_cost: number;
  limit: number;
  how_to_answer: string;
}

export type ApprovalRequest = PromotionApprovalRequest | TrainingApprovalRequest;

export function howToAnswer(runDir: string): string {
  return `pioneer runs approve ${runDir} (or reject), or resume the thread with Command({ resume: { approved, by, reason } })`;
}

/** The flips of a verdict, each with its example's text and both models' answers. */
export function flipEvidence(
  verdict: GateVerdict,
  sets: Record<string, { gold: readonly Example[]; parent: ReadonlyMap<string, Prediction>; candidate: ReadonlyMap<string, Prediction> }>,
): FlipEvidence[] {
  const out: FlipEvidence[] = [];
  for (const [set, ids] of Object.entries(verdict.flips.per_set)) {
    const source = sets[set];
    for (const id of ids) {
      const example = source?.gold.find((e) => e.id === id);
      const answer = (preds: ReadonlyMap<string, Prediction> | undefined) => {
        const p = preds?.get(id);
        return p ? predictedLabel(p) : "";
      };
      out.push({
        set,
        id,
        text: example ? inputText(example) : "",
        gold: example ? goldOf(example) : "",
        before: answer(source?.parent),
        after: answer(source?.candidate),
      });
    }
  }
  return out;
}

/** One line that says what a person decided, for reports and stop reasons. */
export function reviewLine(subject: string, review: Review): string {
  return `${subject} ${review.approved ? "approved" : "rejected"} by ${review.by}${review.reason ? `: ${review.reason}` : ""}`;
}
