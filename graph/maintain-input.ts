import { z } from "zod";
import { LlmMode } from "../llm/settings.ts";

/** What a caller passes to the maintenance graph (CLI, SDK or Studio). Paths are files on the
 * machine that runs the graph. */
export const MaintainInput = z.object({
  model: z.string().min(1).describe("the deployed model: a registry version id or a model directory"),
  train_path: z.string().min(1).describe("the training data of the deployed model (JSONL or CSV)"),
  log_path: z
    .string()
    .min(1)
    .optional()
    .describe("a production log of a classifier, {text,label,pred} a line: split (seeded, recorded in <run_dir>/log/) into failures, regression examples and a production dev set that judges the candidates; instead of failures_path, regression_path and dev_path"),
  regression_path: z.string().min(1).optional().describe("golden examples that must stay right (not with log_path)"),
  failures_path: z.string().min(1).optional().describe("labeled production failures: {text,label} or {tokens,tags}, optional pred, id, stage (not with log_path)"),
  dev_path: z
    .string()
    .min(1)
    .optional()
    .describe("held-out data for the task metric; default: 10% of train, stratified (the deployed model saw it, so gains are understated: pass one)"),
  run_dir: z.string().min(1).describe("folder for this run's data versions, models, report and (by default) memory"),
  memory_dir: z.string().min(1).optional().describe("LanceDB memory shared across runs; default: <run_dir>/memory"),
  registry_dir: z.string().min(1).optional().describe("model registry; default: $PIONEER_REGISTRY or ./.pioneer/registry"),
  rounds: z.number().int().min(1).max(20).default(3).describe("most improvement rounds"),
  minutes: z.number().positive().default(60).describe("wall-clock budget; no new round starts after it"),
  epsilon: z.number().int().min(0).default(2).describe("most right-to-wrong flips on regression sets"),
  delta: z.number().min(0).max(1).default(0.1).describe("largest per-class recall drop"),
  target: z.number().min(0).max(1).optional().describe("stop once the dev task metric reaches this"),
  patience: z.number().int().min(1).default(2).describe("stop after this many rounds without a promotion"),
  allow_new_labels: z.boolean().default(false).describe("accept failure labels outside the model's label set"),
  oos_label: z.string().min(1).optional().describe("the out-of-scope label (classification), when the deployed model has none; default: the model's, else, with allow_new_labels, a new label most failures share"),
  seed: z.number().int().default(0),
  threads: z.number().int().positive().optional().describe("worker CPU threads (default: measured)"),
  max_epochs: z.number().positive().optional().describe("cap on training epochs per candidate (tiny budgets, tests)"),
  approve_promotion: z.boolean().default(false).describe("wait for a person before promoting: the run interrupts with the evidence (metrics, flips with their examples, data changes) and goes on when resumed with { approved, by, reason }"),
  approve_training_over: z
    .number()
    .int()
    .positive()
    .optional()
    .describe("wait for a person before a fine-tune whose estimated cost (training examples x epochs) is over this"),
  llm: LlmMode.optional().describe("who decides: 'endpoint' (an OpenAI-compatible chat model from OPENAI_BASE_URL / OPENAI_API_KEY / PIONEER_MODEL, guarded by the offline policies) or 'off' (the policies); default: endpoint when one is configured"),
  llm_max_tries: z.number().int().min(1).default(2).describe("invalid LLM answers a step may give before the policy decides"),
  llm_budget_tokens: z.number().int().positive().optional().describe("tokens the run's LLM calls may spend; past it the policies decide"),
}).superRefine((input, ctx) => {
  if (input.log_path) {
    for (const field of ["failures_path", "regression_path", "dev_path"] as const) {
      if (input[field]) ctx.addIssue({ code: "custom", path: [field], message: "comes from the production log when log_path is given; pass one or the other" });
    }
  } else {
    for (const field of ["failures_path", "regression_path"] as const) {
      if (!input[field]) ctx.addIssue({ code: "custom", path: [field], message: "is required (or log_path, a production log to split)" });
    }
  }
});
export type MaintainInput = z.infer<typeof MaintainInput>;
export type MaintainInputArgs = z.input<typeof MaintainInput>;
