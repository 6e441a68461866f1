import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { PSEUDO_LABELS_PER_LABEL } from "../../cold-start/pseudo-labels.ts";
import { runColdStart } from "../../cold-start/run-cold-start.ts";
import { readLabelsFile } from "../../cold-start/task-spec.ts";
import { SYNTHESIZED_PER_LABEL } from "../../cold-start/teacher.ts";
import { readUnlabeled } from "../../cold-start/unlabeled.ts";
import { type ClassificationExample, DataFileError, readExamples } from "../../data/index.ts";
import { endpointChatModel } from "../../llm/chat-model.ts";
import { defaultLlmMode, endpointSettings, LlmMode } from "../../llm/settings.ts";
import { openRegistry, parseNumber } from "../context.ts";
import { UsageError } from "../usage-error.ts";

export const COLD_START_USAGE = `pioneer cold-start --task "TEXT" (--labels a,b,c | --labels-file F) [options]
  from a task description to a registered, promoted model (classification). With no key: the
  zero-shot classifier (each label's prototype averages its definition, its seed examples and the
  description's clauses that name it) and, given traffic, a student fine-tuned from it on its most
  confident labels. With an LLM endpoint, the teacher also writes the task spec (definitions,
  phrasings, edge cases), synthesizes examples and judges them again blind, and confirms the traffic's
  pseudo-labels. The candidate that scores higher on --eval is promoted.
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
  --synthesize-per-label N  examples the teacher writes per label (default ${SYNTHESIZED_PER_LABEL}; 0: none)
  --model minilm|<dir>   the embedding model (default: minilm)
  --threads N            CPU threads for training
  --run-dir DIR          default: runs/cold-start-<time>
  --registry DIR         default: $PIONEER_REGISTRY or ./.pioneer/registry
  --json                 print the result as one JSON line`;

/** The examples of `path`, every label in `labels`, else an error naming the line. */
async function labeledExamples(path: string, labels: ReadonlySet<string>, flag: string): Promise<ClassificationExample[]> {
  const data = await readExamples(path, { kind: "classification" });
  const examples = data.examples as ClassificationExample[];
  examples.forEach((e, i) => {
    if (!labels.has(e.label)) {
      throw new DataFileError({ file: path, line: data.lines?.[i] ?? null, field: "label", problem: `"${e.label}" is not one of the task's labels`, hint: `${flag}: use the labels given with --labels or --labels-file` });
    }
  });
  return examples;
}

export async function coldStartCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      task: { type: "string" }, labels: { type: "string" }, "labels-file": { type: "string" }, examples: { type: "string" },
      eval: { type: "string" }, "oos-label": { type: "string" }, model: { type: "string", default: "minilm" },
      "run-dir": { type: "string" }, registry: { type: "string" }, json: { type: "boolean", default: false },
      unlabeled: { type: "string" }, "pseudo-per-label": { type: "string" }, threads: { type: "string" },
      llm: { type: "string" }, "llm-max-tries": { type: "string" }, "synthesize-per-label": { type: "string" },
    },
  });
  // 1. Inputs, all checked before anything is written.
  if (!values.task?.trim()) throw new UsageError("cold-start needs --task, a description of the task");
  if (Boolean(values.labels) === Boolean(values["labels-file"])) throw new UsageError("cold-start needs --labels a,b,c or --labels-file F (one of them)");
  const labels = values["labels-file"]
    ? await readLabelsFile(values["labels-file"])
    : values.labels!.split(",").map((name) => ({ name: name.trim() })).filter((l) => l.name);
  const oos = values["oos-label"] ?? null;
  if (new Set(labels.map((l) => l.name)).size !== labels.length) throw new UsageError("--labels names a label twice");
  const names = new Set([...labels.map((l) => l.name), ...(oos ? [oos] : [])]);
  if (labels.filter((l) => l.name !== oos).length === 0) throw new UsageError("cold-start needs at least one label besides the out-of-scope one");
  const seeds = values.examples ? await labeledExamples(values.examples, names, "--examples") : [];
  const evalSet = values.eval ? await labeledExamples(values.eval, names, "--eval") : null;
  const evalData = evalSet ? { path: values.eval!, examples: evalSet } : null;
  const traffic = values.unlabeled ? await readUnlabeled(values.unlabeled) : null;
  const perLabel = parseNumber("pseudo-per-label", values["pseudo-per-label"]) ?? PSEUDO_LABELS_PER_LABEL;
  if (!Number.isInteger(perLabel) || perLabel < 1) throw new UsageError(`--pseudo-per-label must be a positive whole number, got ${perLabel}`);
  const threads = parseNumber("threads", values.threads);
  const runDir = resolve(values["run-dir"] ?? join("runs", `cold-start-${new Date().toISOString().replace(/[:.]/g, "-")}`));
  if (existsSync(join(runDir, "task-spec.json"))) throw new UsageError(`${runDir} already holds a cold start; choose another --run-dir`);
  const registry = openRegistry(values.registry);
  const modelDir = join(runDir, "models", "zero-shot");
  const registered = await registry.resolve(modelDir).catch(() => null);
  if (registered) throw new UsageError(`${modelDir} holds version ${registered.id}; a registered model directory is never rewritten: choose another --run-dir`);
  const llm = values.llm === undefined ? defaultLlmMode() : LlmMode.safeParse(values.llm).data;
  if (!llm) throw new UsageError(`--llm must be off or endpoint, got ${values.llm}`);
  const maxTries = parseNumber("llm-max-tries", values["llm-max-tries"]) ?? 2;
  let teacher = null;
  if (llm === "endpoint") {
    try {
      teacher = { model: endpointChatModel(endpointSettings(), "data_curator"), maxTries };
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  }
  const synthesizePerLabel = parseNumber("synthesize-per-label", values["synthesize-per-label"]) ?? SYNTHESIZED_PER_LABEL;
  if (!Number.isInteger(synthesizePerLabel) || synthesizePerLabel < 0) throw new UsageError(`--synthesize-per-label must be a whole number, got ${synthesizePerLabel}`);

  const result = await runColdStart({
    task: values.task, labels, oosLabel: oos, seeds, evalData,
    traffic, pseudoPerLabel: perLabel, teacher, synthesizePerLabel, model: values.model, runDir, registry, ...(threads ? { threads } : {}),
  });
  if (values.json) {
    console.log(JSON.stringify(result));
    return;
  }
  console.log(`model ${result.promoted} (${result.method}) registered and promoted in ${registry.root}`);
  for (const c of result.candidates) console.log(`  ${c.method}: ${c.id}, accuracy ${c.metrics.accuracy === undefined ? "-" : `${(c.metrics.accuracy * 100).toFixed(2)}%`}`);
  console.log(`report: ${join(runDir, "report.md")}; evaluate it with: pioneer eval --model ${result.promoted} --data TEST.jsonl`);
}
