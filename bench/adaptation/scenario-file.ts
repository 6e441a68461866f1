import { readFile } from "node:fs/promises";
import { z } from "zod";

/** The poison kinds a deployment stage can carry; each one switchable per scenario. */
export const POISON_KINDS = ["wrong_label", "typo", "truncation", "contradictory_duplicate", "prompt_injection"] as const;
export type PoisonKind = (typeof POISON_KINDS)[number];

const Sizes = z.object({
  base: z.number().int().positive().describe("examples the base model is trained on (stage 0)"),
  stage: z.number().int().positive().describe("logged predictions with feedback per deployment stage"),
  stage_test: z.number().int().positive().describe("clean test examples drawn from each stage's distribution"),
  test: z.number().int().positive().optional().describe("cap on the original test split (spread evenly); default: all of it"),
  golden: z.number().int().positive().describe("examples of the golden split: half dev for maintain, half regression candidates"),
});

const Recipe = z.object({
  strategy: z.enum(["head", "lora", "full"]).default("full"),
  epochs: z.number().positive().describe("at least this many epochs (see min_steps)"),
  min_steps: z.number().int().positive().optional().describe("more epochs on small data: enough for this many optimizer steps"),
  batch_size: z.number().int().positive().optional(),
  learning_rate: z.number().positive().optional(),
  oos_label: z.string().optional().describe("the out-of-scope label (CLINC150: oos)"),
});

export type Recipe = z.infer<typeof Recipe>;

/** A staged-deployment scenario (bench/scenarios/NAME.json). Everything is drawn from the seed. */
export const Scenario = z.object({
  name: z.string().regex(/^[a-z0-9_-]+$/, "lowercase letters, digits, - and _"),
  description: z.string(),
  dataset: z.string().describe("a folder of ../shared/datasets"),
  splits: z.object({ train: z.string(), test: z.string(), golden: z.string() }),
  seed: z.number().int().default(0),
  sizes: Sizes,
  quick: Sizes.extend({ test: z.number().int().positive() }).describe("the reduced sizes of --quick"),
  poison_rates: z.array(z.number().min(0).max(1)).length(3).describe("share of poisoned feedback at stages 1, 2, 3"),
  poison: z.object(Object.fromEntries(POISON_KINDS.map((k) => [k, z.boolean()])) as Record<PoisonKind, z.ZodBoolean>),
  shift: z
    .object({
      held_back: z.array(z.string()).min(1).describe("labels (classification) or entity types (token) absent at stage 0 and at stage 1"),
      arrive_at_stage: z.number().int().min(1).max(3).describe("the first stage whose traffic brings them"),
    })
    .nullable()
    .describe("distribution shift; null = none"),
  recipe: Recipe.describe("how the base model and every naive / filtered retrain are fine-tuned"),
  maintain_rounds: z.number().int().min(1).max(5).default(2),
});
export type Scenario = z.infer<typeof Scenario>;

/** Reads and validates a scenario file; errors name the file and the field. */
export async function readScenario(path: string): Promise<Scenario> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    throw new Error(`${path}: not readable JSON (${(error as Error).message})`);
  }
  const parsed = Scenario.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${path}: field "${issue.path.join(".")}": ${issue.message}`);
  }
  return parsed.data;
}
