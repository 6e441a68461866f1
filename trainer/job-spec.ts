import { z } from "zod";

/** A fine-tune job as the Python worker reads it (trainer/worker/pioneer_worker/config.py mirrors
 * this schema field for field; snake_case because it crosses into Python as JSON). */
export const JobSpec = z
  .object({
    kind: z.enum(["classification", "token"]).describe("one label per text, or BIO tags per token"),
    train_path: z.string().min(1).describe("normalized JSONL the worker trains on"),
    out_dir: z.string().min(1).describe("directory the model is written to"),
    model: z.string().min(1).default("minilm").describe("minilm (packaged all-MiniLM-L6-v2), a HF id or a local dir"),
    strategy: z.enum(["head", "lora", "full"]).default("full").describe("frozen encoder + head, LoRA adapters, or full fine-tune"),
    init_from: z.string().min(1).optional().describe("model directory to warm-start from (its encoder and the head rows of shared labels)"),
    dev_path: z.string().min(1).optional().describe("JSONL scored after epochs"),
    labels: z.array(z.string().min(1)).optional().describe("label or tag set, in output order"),
    epochs: z.number().positive().optional().describe("passes over the data; default by strategy (head 30, lora 8, full 5)"),
    max_steps: z.number().int().positive().optional().describe("stop after this many optimizer steps"),
    learning_rate: z.number().positive().optional().describe("peak learning rate; default by strategy"),
    batch_size: z.number().int().positive().default(32),
    max_length: z.number().int().min(8).max(512).optional().describe("sub-word tokens kept; default 64 (text) / 128 (token)"),
    seed: z.number().int().default(0).describe("same seed and data give the same model"),
    weight_decay: z.number().min(0).optional(),
    warmup_ratio: z.number().min(0).max(1).optional(),
    dropout: z.number().min(0).max(1).optional(),
    label_smoothing: z.number().min(0).lt(1).optional().describe("share of each target's probability spread evenly over all labels"),
    class_weights: z.union([z.literal("balanced"), z.record(z.string(), z.number().positive())]).optional(),
    lora_r: z.number().int().positive().optional(),
    lora_alpha: z.number().int().positive().optional(),
    lora_dropout: z.number().min(0).max(1).optional(),
    confidence_threshold: z.number().min(0).max(1).optional().describe("predictions under this top probability are flagged"),
    oos_label: z.string().min(1).optional().describe("out-of-scope label, e.g. CLINC150's oos"),
    device: z.enum(["auto", "cpu", "cuda"]).default("auto"),
    threads: z.number().int().positive().optional().describe("CPU threads; default chosen by measurement"),
  })
  .strict();

export type JobSpec = z.infer<typeof JobSpec>;
export type JobSpecInput = z.input<typeof JobSpec>;

/** A generation fine-tune as the worker reads it (pioneer_worker/generation.py GenerationConfig):
 * `train_path` rows are {id, text, target[, weight]}, the target already rendered per strategy. */
export const GenerationJobSpec = z
  .object({
    kind: z.literal("generation"),
    train_path: z.string().min(1),
    out_dir: z.string().min(1),
    model: z.string().min(1).default("smollm2").describe("smollm2 (packaged SmolLM2-135M-Instruct), a HF id or a local dir"),
    strategy: z.enum(["lora", "full"]).default("lora"),
    epochs: z.number().positive().optional(),
    max_steps: z.number().int().positive().optional(),
    learning_rate: z.number().positive().optional(),
    batch_size: z.number().int().positive().optional(),
    max_length: z.number().int().min(16).max(2048).optional().describe("tokens of prompt and target kept"),
    seed: z.number().int().default(0),
    lora_r: z.number().int().positive().optional(),
    max_new_tokens: z.number().int().min(1).max(1024).optional().describe("the longest output generated"),
    temperature: z.number().min(0).optional().describe("0: greedy"),
    answer_extractor: z.enum(["number", "exact"]).default("exact").describe("how an output's answer is read for exact match"),
    init_from: z.string().min(1).optional().describe("generation model directory to continue from (same base decoder; LoRA continues a LoRA parent's adapter)"),
    device: z.enum(["auto", "cpu", "cuda"]).default("auto"),
    threads: z.number().int().positive().optional(),
  })
  .strict();
export type GenerationJobSpec = z.infer<typeof GenerationJobSpec>;

/** The fine-tune options every student of a generation run gets (cold start and maintenance). */
export type GenerationFineTune = Partial<Pick<GenerationJobSpec, "epochs" | "max_steps" | "learning_rate" | "batch_size" | "max_new_tokens" | "seed">>;
