import { z } from "zod";

export const PlannerRoute = z.enum(["diagnostician", "data_curator", "trainer", "evaluator", "report"]);
export type PlannerRoute = z.infer<typeof PlannerRoute>;

export const PlannerDecision = z.object({
  next: PlannerRoute.describe("the node to run next"),
  reason: z.string(),
  stop_reason: z.string().nullable().describe("why the run ends, when next is report"),
});
export type PlannerDecision = z.infer<typeof PlannerDecision>;
