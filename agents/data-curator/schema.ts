import { z } from "zod";

/** How to build the next data version. The planner (through the trainer's band) fills it; the
 * offline policy or an LLM may set it. */
export const CurationPlan = z.object({
  clean: z
    .enum(["relabel", "drop", "downweight", "none"])
    .default("relabel")
    .describe("what to do with pool examples confident learning flags"),
  suspect_weight: z.number().positive().default(0.3).describe("loss weight of flagged examples when clean is downweight"),
  relabel_min_prob: z.number().min(0).max(1).default(0.5).describe("relabel only when the suggested label is at least this likely; else drop"),
  failure_weight: z.number().positive().default(2).describe("loss weight of accepted failures added as gold"),
  anchor_regression: z.boolean().default(true).describe("train on the regression (golden) set too, so what worked stays learned"),
  anchor_weight: z.number().positive().default(2).describe("loss weight of the regression (golden) examples added as anchors"),
  plain_anchor_weight: z
    .number()
    .positive()
    .optional()
    .describe("token tasks: weight of anchors without any entity (defaults to anchor_weight); mostly-O anchors pull entity recall down"),
  replay_share: z.number().min(0).max(1).default(1).describe("share of the cleaned pool kept (1 = all)"),
  hard_negative_weight: z.number().positive().default(2).describe("loss weight of pool examples near a confusable pair's failures"),
  hard_negatives_per_failure: z.number().int().min(0).default(3).describe("pool examples of the predicted class taken as hard negatives per confusable failure"),
  model_relabel_from: z
    .enum(["none", "parent", "candidate"])
    .default("none")
    .describe("also relabel pool examples a trained model confidently disagrees with (classification)"),
  model_relabel_min_prob: z.number().min(0).max(1).default(0.9).describe("the trained model's confidence needed to relabel a pool example"),
  emphasize_ids: z.array(z.string()).default([]).describe("regression ids a rejected candidate flipped: their anchors get emphasize_weight"),
  emphasize_weight: z.number().positive().default(5).describe("loss weight of the emphasized regression anchors"),
  neighbours_per_emphasized: z.number().int().min(0).default(3).describe("pool examples of the same label nearest each emphasized regression example, weighted anchor_weight (classification)"),
});
export type CurationPlan = z.infer<typeof CurationPlan>;

export const Change = z.object({
  id: z.string(),
  action: z.enum(["relabeled", "removed", "added", "upweighted", "downweighted"]),
  from: z.string().optional(),
  to: z.string().optional(),
  reason: z.string(),
});
export type Change = z.infer<typeof Change>;

/** The LLM curator's verdict on one suspect pool example (one confident learning flags). */
export const SuspectVerdict = z.object({
  id: z.string().describe("the suspect example's id, exactly as given"),
  action: z.enum(["keep", "relabel", "drop"]).describe("keep its label, relabel it, or drop it from the data"),
  label: z.string().optional().describe("the new label, when action is relabel: one of the task's labels"),
  reason: z.string().describe("the evidence, in one line"),
});
export type SuspectVerdict = z.infer<typeof SuspectVerdict>;

/** The data curator's LLM decision: verdicts on some or all of the suspects shown (the others are
 * cleaned by the round plan's offline rules), and confusions to target with hard negatives. */
export const SuspectVerdicts = z.object({
  suspects: z.array(SuspectVerdict).describe("one verdict per suspect you judge; leave out the ones the offline rule (relabel to the suggestion when it is likely enough, else drop) handles right"),
  focus_pairs: z
    .array(z.object({ gold: z.string().describe("the label the failures should have"), predicted: z.string().describe("the label the model gave them") }))
    .default([])
    .describe("confusions that need targeted examples beyond the offline diagnosis's confusable pairs: the pool's examples of the predicted label nearest to the pair's accepted failures join as upweighted hard negatives"),
});
export type SuspectVerdicts = z.infer<typeof SuspectVerdicts>;

