import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { Annotation, END, START, StateGraph } from "@langchain/langgraph";
import { z } from "zod";
import { assertFreshRunDir, ColdStartInputError, readColdStartInputs, readTokenColdStartInputs } from "../cold-start/inputs.ts";
import { runTokenColdStart, TOKEN_PSEUDO_LABELS_PER_TYPE, type TokenColdStartResult } from "../cold-start/run-token-cold-start.ts";
import { PSEUDO_LABELS_PER_LABEL } from "../cold-start/pseudo-labels.ts";
import { type ColdStartResult, runColdStart } from "../cold-start/run-cold-start.ts";
import { SYNTHESIZED_PER_LABEL } from "../cold-start/teacher.ts";
import { SYNTHESIZED_PER_TYPE } from "../cold-start/token-teacher.ts";
import { endpointChatModel } from "../llm/chat-model.ts";
import { defaultLlmMode, endpointSettings, LlmMode } from "../llm/settings.ts";
import { ModelRegistry } from "../trainer/registry.ts";
import { type GenerationColdStartResult, runGenerationColdStart } from "../cold-start/run-generation-cold-start.ts";
import { type GenerationDataset, readGenerationExamples } from "../data/index.ts";
import { AnswerExtractor } from "../evals/answers.ts";
import { TARGET_STRATEGIES, type TargetStrategy } from "../generation/targets.ts";

/** What a caller passes (Studio's input form, the SDK, the chat agent): the CLI's flags as fields. */
export const ColdStartGraphInput = z.object({
  task: z.string().min(1).describe("a description of the task, in the user's words"),
  kind: z.enum(["classification", "token", "generation"]).optional().describe("classification (default), token (labels are entity types, examples and eval {tokens, tags}) or generation (examples and eval {text, target[, rationale]}; the target strategies are compared)"),
  labels: z.array(z.string().min(1)).optional().describe("the label names (or labels_file)"),
  labels_file: z.string().optional().describe("one label a line, optionally label<TAB>definition"),
  oos_label: z.string().optional().describe("the out-of-scope label, predicted when no label is alike enough"),
  examples_path: z.string().optional().describe("a few labeled examples (JSONL or CSV)"),
  unlabeled_path: z.string().optional().describe("real unlabeled traffic: JSONL {text} or CSV with a text column"),
  eval_path: z.string().optional().describe("real labeled data to score the candidates on"),
  run_dir: z.string().optional().describe("where the run's files go (default runs/cold-start-<time>)"),
  registry_dir: z.string().optional().describe("the model registry (default $PIONEER_REGISTRY or .pioneer/registry)"),
  memory_dir: z.string().optional().describe("the LanceDB memory the run's examples go to (default <run_dir>/memory)"),
  llm: LlmMode.optional().describe("the teacher: endpoint (default when one is configured) or off"),
  synthesize_per_label: z.number().int().nonnegative().optional().describe("examples the teacher writes per label, or sentences per entity type (kind token)"),
  pseudo_per_label: z.number().int().positive().optional(),
  rounds: z.number().int().positive().optional().describe("training rounds (self-training on the traffic after the first)"),
  target: z.number().optional().describe("stop starting rounds once a candidate reaches this accuracy"),
  minutes: z.number().positive().optional().describe("stop starting rounds after this many minutes"),
  model: z.string().optional().describe("the student: minilm (classification, token) or smollm2 (generation), or a model directory"),
  threads: z.number().int().positive().optional(),
  answer: AnswerExtractor.optional().describe("generation: how an output's answer is read (number or exact, default exact)"),
  targets: z.array(z.enum(TARGET_STRATEGIES as [TargetStrategy, ...TargetStrategy[]])).min(1).optional().describe("generation: the target strategies that may be tried (default answer, rationale, self)"),
  tries: z.number().int().positive().optional().describe("generation: strategies trained at most"),
  fine_tune: z.object({
    strategy: z.enum(["lora", "full"]).optional(), max_steps: z.number().int().positive().optional(), epochs: z.number().positive().optional(),
    learning_rate: z.number().positive().optional(), batch_size: z.number().int().positive().optional(), max_new_tokens: z.number().int().positive().optional(), seed: z.number().int().optional(),
  }).strict().optional().describe("generation: every strategy's fine-tune of the decoder"),
  sampling: z.object({ samples: z.number().int().positive(), temperature: z.number().positive() }).optional().describe("generation: self-rationales sampled per question"),
});
export type ColdStartGraphInput = z.infer<typeof ColdStartGraphInput>;

const last = <T>() => Annotation<T>({ reducer: (_, v) => v, default: () => null as T });

export const ColdStartState = Annotation.Root({
  /** The caller's input (`{ input: {...} }`), validated and with run_dir resolved after intake. */
  input: Annotation<ColdStartGraphInput>,
  /** What intake read: counts, for the caller to see before the long part starts. */
  read: last<{ labels: number; seeds: number; eval: number | null; traffic: number | null; run_dir: string } | null>(),
  result: last<ColdStartResult | TokenColdStartResult | GenerationColdStartResult | null>(),
  report: last<string | null>(),
});

function files(input: ColdStartGraphInput) {
  return {
    task: input.task, ...(input.labels ? { labels: input.labels } : {}), ...(input.labels_file ? { labelsFile: input.labels_file } : {}), oosLabel: input.oos_label ?? null,
    ...(input.examples_path ? { examplesPath: input.examples_path } : {}), ...(input.eval_path ? { evalPath: input.eval_path } : {}), ...(input.unlabeled_path ? { unlabeledPath: input.unlabeled_path } : {}),
  };
}

const registryOf = (input: ColdStartGraphInput) => new ModelRegistry(resolve(input.registry_dir ?? process.env.PIONEER_REGISTRY ?? ".pioneer/registry"));

/** Validates the input, checks every file (errors name file, line and field) and that the run folder
 * is a fresh one, before anything is written. The state keeps paths and counts, not the data, so
 * checkpoints stay small: cold_start reads the files again. */
async function intake(state: typeof ColdStartState.State): Promise<typeof ColdStartState.Update> {
  const input = ColdStartGraphInput.parse(state.input);
  if (input.kind === "token" && input.oos_label) throw new ColdStartInputError("a token task (kind token) takes no oos_label: O is every word that is no entity");
  if (input.kind === "generation") return intakeGeneration(input);
  const generationOnly = (["answer", "targets", "tries", "fine_tune", "sampling"] as const).find((f) => input[f] !== undefined);
  if (generationOnly) throw new ColdStartInputError(`${generationOnly} is for generation tasks (kind generation)`);
  const read = input.kind === "token" ? await readTokenColdStartInputs(files(input)) : await readColdStartInputs(files(input));
  const labels = "types" in read ? read.types.length : read.labels.length;
  const runDir = resolve(input.run_dir ?? join("runs", `cold-start-${new Date().toISOString().replace(/[:.]/g, "-")}`));
  await assertFreshRunDir(runDir, registryOf(input));
  return { input: { ...input, run_dir: runDir }, read: { labels, seeds: read.seeds.length, eval: read.evalData?.examples.length ?? null, traffic: read.traffic?.length ?? null, run_dir: runDir } };
}

/** A generation task's examples and held-out questions, read and checked. */
async function readGenerationInputs(input: ColdStartGraphInput): Promise<{ train: GenerationDataset; evalData: GenerationDataset | null }> {
  const unused = (["labels", "labels_file", "oos_label", "unlabeled_path", "synthesize_per_label", "pseudo_per_label", "rounds", "target"] as const).find((f) => input[f] !== undefined);
  if (unused) throw new ColdStartInputError(`${unused} is for classification and token tasks; a generation task has no use for it`);
  if (!input.examples_path) throw new ColdStartInputError("a generation task needs examples_path: {text, target[, rationale]} lines");
  return { train: await readGenerationExamples(input.examples_path), evalData: input.eval_path ? await readGenerationExamples(input.eval_path) : null };
}

async function intakeGeneration(input: ColdStartGraphInput): Promise<typeof ColdStartState.Update> {
  const { train, evalData } = await readGenerationInputs(input);
  const runDir = resolve(input.run_dir ?? join("runs", `cold-start-${new Date().toISOString().replace(/[:.]/g, "-")}`));
  await assertFreshRunDir(runDir, registryOf(input));
  return { input: { ...input, run_dir: runDir }, read: { labels: 0, seeds: train.examples.length, eval: evalData?.examples.length ?? null, traffic: null, run_dir: runDir } };
}

async function coldStart(state: typeof ColdStartState.State): Promise<typeof ColdStartState.Update> {
  const input = state.input;
  const llm = input.llm ?? defaultLlmMode();
  const teacher = llm === "endpoint" ? { model: endpointChatModel(endpointSettings(), "data_curator"), maxTries: 2 } : null;
  if (input.kind === "generation") {
    const result = await runGenerationColdStart({
      task: input.task, ...(await readGenerationInputs(input)), extractor: input.answer ?? "exact", ...(input.targets ? { strategies: input.targets } : {}),
      ...(input.tries ? { tries: input.tries } : {}), ...(input.minutes ? { minutes: input.minutes } : {}),
      training: { model: input.model ?? "smollm2", strategy: input.fine_tune?.strategy ?? "lora", ...input.fine_tune },
      ...(input.sampling ? { sampling: { ...input.sampling, seed: 0 } } : {}),
      planner: llm === "endpoint" ? { model: endpointChatModel(endpointSettings(), "planner"), maxTries: 2 } : null,
      teacher,
      runDir: input.run_dir!, registry: registryOf(input), ...(input.memory_dir ? { memoryDir: resolve(input.memory_dir) } : {}), ...(input.threads ? { threads: input.threads } : {}),
    });
    return { result, report: await readFile(join(result.run_dir, "report.md"), "utf8") };
  }
  if (input.kind === "token") {
    const tokenInputs = await readTokenColdStartInputs(files(input));
    const result = await runTokenColdStart({
      task: input.task, ...tokenInputs, pseudoPerType: input.pseudo_per_label ?? TOKEN_PSEUDO_LABELS_PER_TYPE,
      teacher, synthesizePerType: input.synthesize_per_label ?? SYNTHESIZED_PER_TYPE, ...(input.memory_dir ? { memoryDir: resolve(input.memory_dir) } : {}),
      ...(input.rounds ? { rounds: input.rounds } : {}), ...(input.target !== undefined ? { target: input.target } : {}), ...(input.minutes ? { minutes: input.minutes } : {}),
      model: input.model ?? "minilm", runDir: input.run_dir!, registry: registryOf(input), ...(input.threads ? { threads: input.threads } : {}),
    });
    return { result, report: await readFile(join(result.run_dir, "report.md"), "utf8") };
  }
  const read = await readColdStartInputs(files(input));
  const result = await runColdStart({
    task: input.task, ...read,
    pseudoPerLabel: input.pseudo_per_label ?? PSEUDO_LABELS_PER_LABEL,
    synthesizePerLabel: input.synthesize_per_label ?? SYNTHESIZED_PER_LABEL,
    teacher,
    ...(input.rounds ? { rounds: input.rounds } : {}), ...(input.target !== undefined ? { target: input.target } : {}), ...(input.minutes ? { minutes: input.minutes } : {}),
    model: input.model ?? "minilm",
    runDir: input.run_dir!,
    ...(input.memory_dir ? { memoryDir: resolve(input.memory_dir) } : {}),
    registry: registryOf(input),
    ...(input.threads ? { threads: input.threads } : {}),
  });
  return { result, report: await readFile(join(result.run_dir, "report.md"), "utf8") };
}

/** intake -> cold_start: the `pioneer cold-start` pipeline (task spec, zero-shot model, data,
 * student, registry, report) as a graph the LangGraph server serves. */
export function buildColdStartGraph() {
  return new StateGraph(ColdStartState)
    .addNode("intake", intake)
    .addNode("cold_start", coldStart)
    .addEdge(START, "intake")
    .addEdge("intake", "cold_start")
    .addEdge("cold_start", END);
}

export const graph = buildColdStartGraph().compile();
graph.name = "cold_start";
