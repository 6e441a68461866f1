import { z } from "zod";
import { CurationPlan } from "../data-curator/schema.ts";

export const TrainingChoice = z.object({
  strategy: z.enum(["head", "lora", "full"]).describe("what trains: the head on a frozen encoder, LoRA adapters, or everything"),
  init_from: z
    .enum(["base", "parent", "candidate"])
    .describe("start from the pretrained base model, warm-start from the deployed model, or repair the last candidate"),
  epochs: z.number().positive(),
  learning_rate: z.number().positive(),
  batch_size: z.number().int().positive().optional().describe("examples per optimizer step (the worker's default when absent)"),
  class_weights: z.enum(["balanced", "none"]).default("none"),
});
export type TrainingChoice = z.infer<typeof TrainingChoice>;

/** The plan of one round: the score band it falls in, the data to build and the training to run. */
export const RoundPlan = z.object({
  band: z.enum(["rebuild", "tune", "targeted"]).describe("far below target: rebuild the data; near: tune; high: add targeted examples"),
  curation: CurationPlan,
  training: TrainingChoice,
  reason: z.string(),
  from_memory: z.string().nullable().describe("id of the past experiment whose strategy is reused, if any"),
});
export type RoundPlan = z.infer<typeof RoundPlan>;
