import { type GenerationDataset, readGenerationExamples } from "../../data/index.ts";
import { SELF_SAMPLING } from "../../generation/self-rationales.ts";
import { TARGET_STRATEGIES, type TargetStrategy } from "../../generation/targets.ts";
import type { LlmDecider } from "../../llm/decide.ts";
import { endpointChatModel } from "../../llm/chat-model.ts";
import { defaultLlmMode, endpointSettings, LlmMode } from "../../llm/settings.ts";
import type { GenerationFineTune } from "../../trainer/job-spec.ts";
import type { Sampling } from "../../trainer/launcher.ts";
import { parseNumber } from "../context.ts";
import { UsageError } from "../usage-error.ts";

/** The options generation runs (cold start and maintenance) take, in parseArgs form. */
export const GENERATION_RUN_OPTIONS = {
  targets: { type: "string" }, tries: { type: "string" }, "max-steps": { type: "string" }, epochs: { type: "string" }, lr: { type: "string" },
  "batch-size": { type: "string" }, "max-new-tokens": { type: "string" }, samples: { type: "string" }, temperature: { type: "string" },
} as const;

export const GENERATION_RUN_USAGE = `  --targets a,b,c        the target strategies that may be tried (default answer,rationale,self)
  --tries N              strategies trained at most, from the plan's start
  --minutes N            no strategy is started after N minutes
  --max-steps N, --epochs N, --lr X, --batch-size N, --max-new-tokens N, --seed N: every student's fine-tune
  --samples K, --temperature T: self-rationales sampled per question (default ${SELF_SAMPLING.samples} at ${SELF_SAMPLING.temperature})`;

export type Values = Record<string, string | boolean | undefined>;

/** Typed access to parsed option values, with the checks every generation option needs. */
export function optionReader(values: Values) {
  const text = (name: string) => (typeof values[name] === "string" ? (values[name] as string) : undefined);
  const positive = (flag: string, integer = true) => {
    const n = parseNumber(flag, text(flag));
    if (n !== undefined && (n <= 0 || (integer && !Number.isInteger(n)))) throw new UsageError(`--${flag} must be a positive ${integer ? "whole " : ""}number, got ${n}`);
    return n;
  };
  return { text, positive };
}

/** `--targets a,b,c`, each a known strategy. */
export function parseTargets(given: string | undefined): TargetStrategy[] {
  const targets = (given ?? TARGET_STRATEGIES.join(",")).split(",").map((s) => s.trim()) as TargetStrategy[];
  const unknown = targets.find((t) => !TARGET_STRATEGIES.includes(t));
  if (unknown !== undefined) throw new UsageError(`--targets takes ${TARGET_STRATEGIES.join(", ")}; got "${unknown}"`);
  return targets;
}

/** A generation data file named by `--flag`; its errors (file, line, field) as usage errors. */
export async function readGenerationOption(flag: string, path: string): Promise<GenerationDataset> {
  try {
    return await readGenerationExamples(path);
  } catch (err) {
    throw new UsageError(`--${flag}: ${(err as Error).message}`);
  }
}

/** The fine-tune options every student of a generation run gets (only those given). */
export function fineTuneOptions(values: Values): GenerationFineTune {
  const { text, positive } = optionReader(values);
  return Object.fromEntries(
    ([["max_steps", positive("max-steps")], ["epochs", positive("epochs", false)], ["learning_rate", positive("lr", false)], ["batch_size", positive("batch-size")], ["max_new_tokens", positive("max-new-tokens")], ["seed", parseNumber("seed", text("seed"))]] as const).filter(([, v]) => v !== undefined),
  );
}

/** How self-rationales are sampled: --samples and --temperature over the defaults. */
export function samplingOf(values: Values): Sampling {
  const { positive } = optionReader(values);
  return { samples: positive("samples") ?? SELF_SAMPLING.samples, temperature: positive("temperature", false) ?? SELF_SAMPLING.temperature, seed: SELF_SAMPLING.seed ?? 0 };
}

/** The LLM planner and teacher `--llm` asks for (default: endpoint when one is configured), or nulls. */
export function llmAgentsOf(mode: string | undefined, maxTries: string | undefined): { planner: LlmDecider | null; teacher: LlmDecider | null } {
  const llm = mode === undefined ? defaultLlmMode() : LlmMode.safeParse(mode).data;
  if (!llm) throw new UsageError(`--llm must be off or endpoint, got ${mode}`);
  if (llm === "off") return { planner: null, teacher: null };
  const tries = parseNumber("llm-max-tries", maxTries) ?? 2;
  try {
    const settings = endpointSettings();
    return { planner: { model: endpointChatModel(settings, "planner"), maxTries: tries }, teacher: { model: endpointChatModel(settings, "data_curator"), maxTries: tries } };
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}
