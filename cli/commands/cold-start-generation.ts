import { join, resolve } from "node:path";
import { assertFreshRunDir, ColdStartInputError } from "../../cold-start/inputs.ts";
import { runGenerationColdStart, TEACHER_RATIONALES } from "../../cold-start/run-generation-cold-start.ts";
import { type GenerationDataset, readGenerationExamples } from "../../data/index.ts";
import { AnswerExtractor } from "../../evals/answers.ts";
import { SELF_SAMPLING } from "../../generation/self-rationales.ts";
import { TARGET_STRATEGIES, type TargetStrategy } from "../../generation/targets.ts";
import type { LlmDecider } from "../../llm/decide.ts";
import { endpointChatModel } from "../../llm/chat-model.ts";
import { defaultLlmMode, endpointSettings, LlmMode } from "../../llm/settings.ts";
import { openRegistry, parseNumber } from "../context.ts";
import { UsageError } from "../usage-error.ts";

export const GENERATION_COLD_START_USAGE = `
  Generation tasks (--kind generation; --examples and --eval are {"text","target"[,"rationale"]}
  JSONL): one LoRA student of the decoder per target strategy, in the plan's order (strategies that
  won on a similar past task in the memory first, then answer, rationale, self), each scored on the
  same held-out questions; the best is promoted, with the paired bootstrap interval of its lead in
  the report, and every try goes to the memory for later tasks.
  --examples TRAIN.jsonl training questions with gold answers (and rationales, for rationale targets)
  --eval EVAL.jsonl      the held-out questions the strategies are compared on (default: every 5th
                         training question, held out)
  --answer number|exact  how an output's answer is read (default exact)
  --targets a,b,c        the target strategies that may be tried (default answer,rationale,self)
  --tries N              strategies trained at most, from the plan's start
  --minutes N            no strategy is started after N minutes
  --model smollm2|<dir>  the decoder student (default smollm2); --strategy lora|full (default lora)
  --max-steps N, --epochs N, --lr X, --batch-size N, --max-new-tokens N, --seed N: every student's fine-tune
  --samples K, --temperature T: self-rationales sampled per question (default ${SELF_SAMPLING.samples} at ${SELF_SAMPLING.temperature})
  --llm off|endpoint     with an endpoint the LLM planner picks each next strategy (or stops) from the
                         measured evidence and the memory, through its tools (the best measured is
                         promoted either way), and the teacher writes rationales for training
                         questions without one (kept only when they reach the gold answer)
  --teacher-rationales N questions the teacher writes a rationale for, at most (default ${TEACHER_RATIONALES})`;

/** The options only generation cold starts take (parseArgs form). */
export const GENERATION_OPTIONS = {
  answer: { type: "string" }, targets: { type: "string" }, tries: { type: "string" }, strategy: { type: "string" },
  "max-steps": { type: "string" }, epochs: { type: "string" }, lr: { type: "string" }, "batch-size": { type: "string" },
  "max-new-tokens": { type: "string" }, samples: { type: "string" }, temperature: { type: "string" }, seed: { type: "string" },
  "teacher-rationales": { type: "string" },
} as const;

type Values = Record<string, string | boolean | undefined>;

async function readData(flag: string, path: string): Promise<GenerationDataset> {
  try {
    return await readGenerationExamples(path);
  } catch (err) {
    throw new UsageError(`--${flag}: ${(err as Error).message}`);
  }
}

/** The LLM planner and teacher `--llm` asks for (default: endpoint when one is configured), or nulls. */
function llmAgentsOf(mode: string | undefined, maxTries: string | undefined): { planner: LlmDecider | null; teacher: LlmDecider | null } {
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

/** `pioneer cold-start --kind generation`. */
export async function generationColdStart(values: Values): Promise<void> {
  const text = (name: string) => (typeof values[name] === "string" ? (values[name] as string) : undefined);
  for (const flag of ["labels", "labels-file", "oos-label", "unlabeled", "pseudo-per-label", "synthesize-per-label", "rounds", "target"]) {
    if (text(flag) !== undefined) throw new UsageError(`--${flag} is for classification and token tasks; a generation cold start has no use for it`);
  }
  if (!text("task")?.trim()) throw new UsageError("--task is required: describe the task in a sentence or more");
  if (!text("examples")) throw new UsageError('--examples TRAIN.jsonl is required for a generation task: {"text","target"[,"rationale"]} lines');
  const extractor = AnswerExtractor.safeParse(text("answer") ?? "exact");
  if (!extractor.success) throw new UsageError(`--answer must be number or exact, got "${text("answer")}"`);
  const targets = (text("targets") ?? TARGET_STRATEGIES.join(",")).split(",").map((s) => s.trim()) as TargetStrategy[];
  const unknown = targets.find((t) => !TARGET_STRATEGIES.includes(t));
  if (unknown !== undefined) throw new UsageError(`--targets takes ${TARGET_STRATEGIES.join(", ")}; got "${unknown}"`);
  const strategy = text("strategy") ?? "lora";
  if (strategy !== "lora" && strategy !== "full") throw new UsageError(`--strategy must be lora or full for a generation model, got "${strategy}"`);
  const positive = (flag: string, integer = true) => {
    const n = parseNumber(flag, text(flag));
    if (n !== undefined && (n <= 0 || (integer && !Number.isInteger(n)))) throw new UsageError(`--${flag} must be a positive ${integer ? "whole " : ""}number, got ${n}`);
    return n;
  };
  const tries = positive("tries");
  const minutes = positive("minutes", false);
  const threads = positive("threads");
  const samples = positive("samples") ?? SELF_SAMPLING.samples;
  const temperature = positive("temperature", false) ?? SELF_SAMPLING.temperature;

  const runDir = resolve(text("run-dir") ?? join("runs", `cold-start-${new Date().toISOString().replace(/[:.]/g, "-")}`));
  const registry = openRegistry(text("registry"));
  const train = await readData("examples", text("examples")!);
  const evalData = text("eval") ? await readData("eval", text("eval")!) : null;
  try {
    await assertFreshRunDir(runDir, registry);
  } catch (err) {
    throw err instanceof ColdStartInputError ? new UsageError(err.message) : err;
  }
  const training = {
    model: text("model") ?? "smollm2",
    strategy: strategy as "lora" | "full",
    ...Object.fromEntries(
      ([["max_steps", positive("max-steps")], ["epochs", positive("epochs", false)], ["learning_rate", positive("lr", false)], ["batch_size", positive("batch-size")], ["max_new_tokens", positive("max-new-tokens")], ["seed", parseNumber("seed", text("seed"))]] as const).filter(([, v]) => v !== undefined),
    ),
  };
  const result = await runGenerationColdStart({
    task: text("task")!, train, evalData, extractor: extractor.data, strategies: targets, training,
    sampling: { samples, temperature, seed: SELF_SAMPLING.seed ?? 0 }, ...llmAgentsOf(text("llm"), text("llm-max-tries")),
    ...(positive("teacher-rationales") !== undefined ? { teacherRationales: positive("teacher-rationales")! } : {}),
    ...(tries ? { tries } : {}), ...(minutes ? { minutes } : {}), ...(threads ? { threads } : {}),
    ...(text("memory") ? { memoryDir: resolve(text("memory")!) } : {}), runDir, registry,
  });
  if (values.json) {
    console.log(JSON.stringify(result));
    return;
  }
  console.log(`model ${result.promoted} (generation, targets: ${result.strategy}) registered and promoted in ${registry.root}: ${result.choice}`);
  for (const c of result.candidates) console.log(`  ${c.strategy}: ${c.id}, exact match ${(c.exact_match * 100).toFixed(2)}%`);
  for (const n of result.not_tried) console.log(`  ${n.strategy}: not tried (${n.why})`);
  console.log(`report: ${join(runDir, "report.md")}; evaluate it with: pioneer eval --model ${result.promoted} --data TEST.jsonl`);
}
