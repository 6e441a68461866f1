import { z } from "zod";

export const TrainingChoice = z.object({
  strategy: z.enum(["head", "lora", "full"]).describe("what trains: the head on a frozen encoder, LoRA adapters, or everything"),
  init_from: z
    .enum(["base", "parent", "candidate"])
    .describe("start from the pretrained base model, warm-start from the deployed model, or repair the last candidate"),
  epochs: z.number().positive().describe("passes over the data version"),
  learning_rate: z.number().positive().describe("peak learning rate (full fine-tune of a MiniLM-size encoder: 1e-4 from the base, 3e-5..5e-5 warm; head only: 1e-3)"),
  batch_size: z.number().int().positive().optional().describe("examples per optimizer step (the worker's default when absent)"),
  class_weights: z.enum(["balanced", "none"]).default("none").describe("balanced: weigh classes inversely to their frequency"),
});
export type TrainingChoice = z.infer<typeof TrainingChoice>;
