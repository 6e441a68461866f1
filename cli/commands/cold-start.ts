import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { PSEUDO_LABELS_PER_LABEL } from "../../cold-start/pseudo-labels.ts";
import { runColdStart } from "../../cold-start/run-cold-start.ts";
import { assertFreshRunDir, ColdStartInputError, type ColdStartData, readColdStartInputs, readTokenColdStartInputs, type TokenColdStartData } from "../../cold-start/inputs.ts";
import { runTokenColdStart, TOKEN_PSEUDO_LABELS_PER_TYPE } from "../../cold-start/run-token-cold-start.ts";
import { SYNTHESIZED_PER_LABEL } from "../../cold-start/teacher.ts";
import { SYNTHESIZED_PER_TYPE } from "../../cold-start/token-teacher.ts";
import type { LlmDecider } from "../../llm/decide.ts";
import { endpointChatModel } from "../../llm/chat-model.ts";
import { defaultLlmMode, endpointSettings, LlmMode } from "../../llm/settings.ts";
import { openRegistry, parseNumber } from "../context.ts";
import { UsageError } from "../usage-error.ts";
import { GENERATION_COLD_START_USAGE, GENERATION_OPTIONS, generationColdStart } from "./cold-start-generation.ts";

export const COLD_START_USAGE = `pioneer cold-start --task "TEXT" (--labels a,b,c | --labels-file F) [options]
  from a task description to a registered, promoted model. Classification, with no key: the
  zero-shot classifier (each label's prototype averages its definition, its seed examples and the
  description's clauses that name it) and, given traffic, a student fine-tuned from it on its most
  confident labels. With an LLM endpoint, the teacher also writes the task spec (definitions,
  phrasings, edge cases), synthesizes examples and judges them again blind, and confirms the traffic's
  pseudo-labels. The candidate that scores higher on --eval is promoted.
  Token tasks (--kind token; the labels are entity types, --examples and --eval are {"tokens","tags"}
  JSONL): the zero-shot tagger (each type's prototype: its seed words' encoder states, else its
  definition), a student fine-tuned on the seeds, and self-training on the traffic (the best tagger
  labels it; its most confident sentences per type train the next student). With an LLM endpoint,
  the teacher writes the types' definitions and sentences with entities at character offsets
  (checked, turned into BIO words, kept when its blind extraction finds the same entities), and
  labels the traffic sentences the tagger picks.
  --kind K               classification (default), token or generation (below)
  --labels-file F        one label a line, optionally label<TAB>definition
  --examples SEED.jsonl  a few labeled examples (phrasings of their labels, gold for training)
  --unlabeled TRAFFIC    real unlabeled messages (JSONL {"text"} or CSV with a text column): the
                         zero-shot model labels them, the most confident per label train a student
  --pseudo-per-label N   messages kept per label (default ${PSEUDO_LABELS_PER_LABEL})
  --eval EVAL.jsonl      real labeled data to score the candidates on (without it: a held-out share
                         of the verified synthetic examples, which overstates real accuracy)
  --oos-label LABEL      out-of-scope label, predicted when no label is alike enough (the threshold
                         is chosen on --eval, else on the seeds, when they hold out-of-scope examples)
  --llm off|endpoint     the teacher: default endpoint when OPENAI_API_KEY or OPENAI_BASE_URL is set
  --llm-max-tries N      invalid answers before a teacher step falls back (default 2)
  --synthesize-per-label N  examples the teacher writes per label, or sentences per entity type
                         (default ${SYNTHESIZED_PER_LABEL}; 0: none)
  --rounds N             training rounds (default 1): after the first, the student relabels the
                         traffic and its confident labels the zero-shot model agrees with (more
                         each round) train the next, with the teacher's examples for the best
                         student's confused pairs, while the --eval accuracy improves
  --target X             stop starting rounds once a candidate reaches this accuracy
  --minutes N            stop starting rounds after this many minutes
  --model minilm|<dir>   the embedding model (default: minilm)
  --threads N            CPU threads for training
  --memory DIR           the LanceDB memory the run's examples go to (default: RUN_DIR/memory)
  --run-dir DIR          default: runs/cold-start-<time>
  --registry DIR         default: $PIONEER_REGISTRY or ./.pioneer/registry
  --json                 print the result as one JSON line
${GENERATION_COLD_START_USAGE}`;

export async function coldStartCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      task: { type: "string" }, labels: { type: "string" }, "labels-file": { type: "string" }, examples: { type: "string" },
      eval: { type: "string" }, "oos-label": { type: "string" }, model: { type: "string" },
      "run-dir": { type: "string" }, registry: { type: "string" }, json: { type: "boolean", default: false },
      unlabeled: { type: "string" }, "pseudo-per-label": { type: "string" }, threads: { type: "string" },
      llm: { type: "string" }, "llm-max-tries": { type: "string" }, "synthesize-per-label": { type: "string" },
      rounds: { type: "string" }, target: { type: "string" }, minutes: { type: "string" }, memory: { type: "string" },
      kind: { type: "string", default: "classification" },
      ...GENERATION_OPTIONS,
    },
  });
  if (values.kind === "generation") return generationColdStart(values);
  const generationOnly = Object.keys(GENERATION_OPTIONS).filter((o) => values[o as keyof typeof values] !== undefined);
  if (generationOnly.length > 0) throw new UsageError(`--${generationOnly[0]} is for generation tasks (--kind generation)`);
  if (values.kind === "token") return tokenColdStart(values);
  if (values.kind !== "classification") throw new UsageError(`--kind must be classification, token or generation, got ${values.kind}`);
  // Inputs, all checked before anything is written.
  const runDir = runDirOf(values["run-dir"]);
  const registry = openRegistry(values.registry);
  let inputs: ColdStartData;
  try {
    inputs = await readColdStartInputs({
      task: values.task ?? "", ...(values.labels ? { labels: values.labels.split(",") } : {}), ...(values["labels-file"] ? { labelsFile: values["labels-file"] } : {}),
      oosLabel: values["oos-label"] ?? null, ...(values.examples ? { examplesPath: values.examples } : {}), ...(values.eval ? { evalPath: values.eval } : {}), ...(values.unlabeled ? { unlabeledPath: values.unlabeled } : {}),
    });
    await assertFreshRunDir(runDir, registry);
  } catch (err) {
    throw err instanceof ColdStartInputError ? new UsageError(err.message) : err;
  }
  const perLabel = parseNumber("pseudo-per-label", values["pseudo-per-label"]) ?? PSEUDO_LABELS_PER_LABEL;
  if (!Number.isInteger(perLabel) || perLabel < 1) throw new UsageError(`--pseudo-per-label must be a positive whole number, got ${perLabel}`);
  const threads = parseNumber("threads", values.threads);
  const teacher = teacherOf(values);
  const synthesizePerLabel = synthesizedCount(values["synthesize-per-label"], SYNTHESIZED_PER_LABEL);

  const { rounds, target, minutes } = roundOptions(values);
  const result = await runColdStart({
    task: values.task!, ...inputs, rounds, ...(values.memory ? { memoryDir: resolve(values.memory) } : {}), ...(target !== undefined ? { target } : {}), ...(minutes !== undefined ? { minutes } : {}), pseudoPerLabel: perLabel, teacher, synthesizePerLabel, model: values.model ?? "minilm", runDir, registry, ...(threads ? { threads } : {}),
  });
  if (values.json) {
    console.log(JSON.stringify(result));
    return;
  }
  console.log(`model ${result.promoted} (${result.method}) registered and promoted in ${registry.root}`);
  for (const c of result.candidates) console.log(`  ${c.method}: ${c.id}, accuracy ${c.metrics.accuracy === undefined ? "-" : `${(c.metrics.accuracy * 100).toFixed(2)}%`}`);
  console.log(`report: ${join(runDir, "report.md")}; evaluate it with: pioneer eval --model ${result.promoted} --data TEST.jsonl`);
}

/** The LLM teacher `--llm` asks for (default: endpoint when one is configured), or null. */
function teacherOf(values: { llm?: string; "llm-max-tries"?: string }): LlmDecider | null {
  const llm = values.llm === undefined ? defaultLlmMode() : LlmMode.safeParse(values.llm).data;
  if (!llm) throw new UsageError(`--llm must be off or endpoint, got ${values.llm}`);
  if (llm === "off") return null;
  const maxTries = parseNumber("llm-max-tries", values["llm-max-tries"]) ?? 2;
  try {
    return { model: endpointChatModel(endpointSettings(), "data_curator"), maxTries };
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function synthesizedCount(given: string | undefined, byDefault: number): number {
  const n = parseNumber("synthesize-per-label", given) ?? byDefault;
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--synthesize-per-label must be a whole number, got ${n}`);
  return n;
}

const runDirOf = (given: string | undefined) => resolve(given ?? join("runs", `cold-start-${new Date().toISOString().replace(/[:.]/g, "-")}`));

function roundOptions(values: { rounds?: string; target?: string; minutes?: string }): { rounds: number; target?: number; minutes?: number } {
  const rounds = parseNumber("rounds", values.rounds) ?? 1;
  if (!Number.isInteger(rounds) || rounds < 1) throw new UsageError(`--rounds must be a positive whole number, got ${rounds}`);
  const target = parseNumber("target", values.target);
  const minutes = parseNumber("minutes", values.minutes);
  return { rounds, ...(target !== undefined ? { target } : {}), ...(minutes !== undefined ? { minutes } : {}) };
}

type ColdStartValues = Record<string, string | boolean | undefined>;

/** `--kind token`: entity types, tagged seeds and --eval. */
async function tokenColdStart(values: ColdStartValues): Promise<void> {
  const text = (name: string) => (typeof values[name] === "string" ? (values[name] as string) : undefined);
  if (text("oos-label") !== undefined) throw new UsageError("--oos-label is for classification; a token task (--kind token) has no use for it: O is every word that is no entity");
  const runDir = runDirOf(text("run-dir"));
  const registry = openRegistry(text("registry"));
  let inputs: TokenColdStartData;
  try {
    inputs = await readTokenColdStartInputs({
      task: text("task") ?? "", ...(text("labels") ? { labels: text("labels")!.split(",") } : {}), ...(text("labels-file") ? { labelsFile: text("labels-file")! } : {}),
      ...(text("examples") ? { examplesPath: text("examples")! } : {}), ...(text("eval") ? { evalPath: text("eval")! } : {}), ...(text("unlabeled") ? { unlabeledPath: text("unlabeled")! } : {}),
    });
    await assertFreshRunDir(runDir, registry);
  } catch (err) {
    throw err instanceof ColdStartInputError ? new UsageError(err.message) : err;
  }
  const perType = parseNumber("pseudo-per-label", text("pseudo-per-label")) ?? TOKEN_PSEUDO_LABELS_PER_TYPE;
  if (!Number.isInteger(perType) || perType < 1) throw new UsageError(`--pseudo-per-label must be a positive whole number, got ${perType}`);
  const threads = parseNumber("threads", text("threads"));
  const teacher = teacherOf({ ...(text("llm") ? { llm: text("llm")! } : {}), ...(text("llm-max-tries") ? { "llm-max-tries": text("llm-max-tries")! } : {}) });
  const synthesizePerType = synthesizedCount(text("synthesize-per-label"), SYNTHESIZED_PER_TYPE);
  const result = await runTokenColdStart({
    task: text("task")!, ...inputs, ...roundOptions({ rounds: text("rounds"), target: text("target"), minutes: text("minutes") }), pseudoPerType: perType, teacher, synthesizePerType,
    ...(text("memory") ? { memoryDir: resolve(text("memory")!) } : {}), model: text("model") ?? "minilm", runDir, registry, ...(threads ? { threads } : {}),
  });
  if (values.json) {
    console.log(JSON.stringify(result));
    return;
  }
  console.log(`model ${result.promoted} (${result.method}, token task) registered and promoted in ${registry.root}`);
  for (const c of result.candidates) console.log(`  ${c.method}${c.method === "student" ? ` (round ${c.round})` : ""}: ${c.id}, entity F1 ${c.metrics.f1 === undefined ? "-" : `${(c.metrics.f1 * 100).toFixed(2)}%`}`);
  console.log(`report: ${join(runDir, "report.md")}; evaluate it with: pioneer eval --model ${result.promoted} --data TEST.jsonl`);
}
