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

/** The LLM's judgement of one cluster of failures (the offline policy's clusters). */
export const ClusterVerdict = z.object({
  name: z.string().describe("the cluster's name, exactly as given"),
  cause: FailureCause.describe("why its failures happen, or why their feedback is not to be trusted"),
  fixable: z.boolean().describe("whether training can fix them"),
  accept: z.boolean().describe("use their feedback labels as new gold training data (never for wrong_feedback or garbled_input)"),
  reason: z.string().describe("the evidence, in one line"),
});
export type ClusterVerdict = z.infer<typeof ClusterVerdict>;

/** The diagnostician's LLM decision: verdicts on some or all clusters; the others keep the offline
 * policy's diagnosis. */
export const ClusterVerdicts = z.object({
  clusters: z.array(ClusterVerdict).describe("one verdict per cluster you judge; leave out clusters the offline diagnosis gets right"),
});
export type ClusterVerdicts = z.infer<typeof ClusterVerdicts>;

