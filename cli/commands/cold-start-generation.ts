import { join, resolve } from "node:path";
import { assertFreshRunDir, ColdStartInputError } from "../../cold-start/inputs.ts";
import { runGenerationColdStart, TEACHER_RATIONALES } from "../../cold-start/run-generation-cold-start.ts";
import { AnswerExtractor } from "../../evals/answers.ts";
import { openRegistry } from "../context.ts";
import { UsageError } from "../usage-error.ts";
import { fineTuneOptions, GENERATION_RUN_OPTIONS, GENERATION_RUN_USAGE, llmAgentsOf, optionReader, parseTargets, readGenerationOption, samplingOf, type Values } from "./generation-options.ts";

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
  --model smollm2|<dir>  the decoder student (default smollm2); --strategy lora|full (default lora)
${GENERATION_RUN_USAGE}
  --llm off|endpoint     with an endpoint the LLM planner picks each next strategy (or stops) from the
                         measured evidence and the memory, through its tools (the best measured is
                         promoted either way), and the teacher writes rationales for training
                         questions without one (kept only when they reach the gold answer)
  --teacher-rationales N questions the teacher writes a rationale for, at most (default ${TEACHER_RATIONALES})`;

/** The options only generation cold starts take (parseArgs form). */
export const GENERATION_OPTIONS = { ...GENERATION_RUN_OPTIONS, answer: { type: "string" }, strategy: { type: "string" }, seed: { type: "string" }, "teacher-rationales": { type: "string" } } as const;

/** `pioneer cold-start --kind generation`. */
export async function generationColdStart(values: Values): Promise<void> {
  const { text, positive } = optionReader(values);
  for (const flag of ["labels", "labels-file", "oos-label", "unlabeled", "pseudo-per-label", "synthesize-per-label", "rounds", "target"]) {
    if (text(flag) !== undefined) throw new UsageError(`--${flag} is for classification and token tasks; a generation cold start has no use for it`);
  }
  if (!text("task")?.trim()) throw new UsageError("--task is required: describe the task in a sentence or more");
  if (!text("examples")) throw new UsageError('--examples TRAIN.jsonl is required for a generation task: {"text","target"[,"rationale"]} lines');
  const extractor = AnswerExtractor.safeParse(text("answer") ?? "exact");
  if (!extractor.success) throw new UsageError(`--answer must be number or exact, got "${text("answer")}"`);
  const targets = parseTargets(text("targets"));
  const strategy = text("strategy") ?? "lora";
  if (strategy !== "lora" && strategy !== "full") throw new UsageError(`--strategy must be lora or full for a generation model, got "${strategy}"`);
  const tries = positive("tries");
  const minutes = positive("minutes", false);
  const threads = positive("threads");

  const runDir = resolve(text("run-dir") ?? join("runs", `cold-start-${new Date().toISOString().replace(/[:.]/g, "-")}`));
  const registry = openRegistry(text("registry"));
  const train = await readGenerationOption("examples", text("examples")!);
  const evalData = text("eval") ? await readGenerationOption("eval", text("eval")!) : null;
  try {
    await assertFreshRunDir(runDir, registry);
  } catch (err) {
    throw err instanceof ColdStartInputError ? new UsageError(err.message) : err;
  }
  const training = {
    model: text("model") ?? "smollm2",
    strategy: strategy as "lora" | "full",
    ...fineTuneOptions(values),
  };
  const result = await runGenerationColdStart({
    task: text("task")!, train, evalData, extractor: extractor.data, strategies: targets, training,
    sampling: samplingOf(values), ...llmAgentsOf(text("llm"), text("llm-max-tries")),
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
