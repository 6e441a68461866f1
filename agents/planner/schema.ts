import { z } from "zod";
import { CurationPlan } from "../data-curator/schema.ts";
import { TrainingChoice } from "../trainer/schema.ts";

export const PlannerRoute = z.enum(["diagnostician", "data_curator", "trainer", "evaluator", "report"]);
export type PlannerRoute = z.infer<typeof PlannerRoute>;

export const PlannerDecision = z.object({
  next: PlannerRoute.describe("the node to run next"),
  reason: z.string().describe("why, in one line"),
  stop_reason: z.string().nullable().describe("why the run ends, when next is report"),
});
export type PlannerDecision = z.infer<typeof PlannerDecision>;

/** The plan of one round: the score band it falls in, the data to build and the training to run. */
export const RoundPlan = z.object({
  band: z.enum(["rebuild", "tune", "targeted"]).describe("far below target: rebuild the data; near: tune; high: add targeted examples"),
  curation: CurationPlan.describe("how the data curator builds this round's data version"),
  training: TrainingChoice.describe("how the trainer fine-tunes this round's candidate"),
  reason: z.string().describe("why this plan, in one or two sentences citing the evidence"),
  from_memory: z.string().nullable().describe("id of the past experiment whose strategy is reused, if any"),
});
export type RoundPlan = z.infer<typeof RoundPlan>;
