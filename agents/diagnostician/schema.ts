import { z } from "zod";
import { FailureCause } from "../../memory/index.ts";

/** The diagnostician's verdict on one failure. */
export const FailureFinding = z.object({
  id: z.string(),
  cause: FailureCause.describe("why the model failed, or why the feedback is not trusted"),
  cluster: z.string().describe("name of the failure's cluster, e.g. 'card_arrival -> card_delivery_estimate' or 'missed:person'"),
  fixable: z.boolean().describe("whether training can fix it (not garbled input, not wrong feedback)"),
  accepted: z.boolean().describe("use the feedback label as new gold training data"),
  evidence: z.string().describe("the measured reason, in one line"),
});
export type FailureFinding = z.infer<typeof FailureFinding>;

export const DiagnosisDecision = z.object({
  findings: z.array(FailureFinding),
  clusters: z.array(z.object({ name: z.string(), cause: FailureCause, size: z.number().int(), fixable: z.boolean() })),
  summary: z.string().describe("one paragraph: the main clusters and causes, used to look up past strategies"),
});
export type DiagnosisDecision = z.infer<typeof DiagnosisDecision>;
