import { existsSync } from "node:fs";
import { mkdir, mkdtemp } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { offlineTaskSpec, readLabelsFile } from "../../cold-start/task-spec.ts";
import { type ClassificationExample, DataFileError, dataVersionHash, readExamples } from "../../data/index.ts";
import { writeFileAtomic, writeJsonAtomic } from "../../lib/atomic-write.ts";
import { evaluateModel } from "../../trainer/evaluate-model.ts";
import { buildZeroShotModel } from "../../trainer/launcher.ts";
import { openRegistry } from "../context.ts";
import { UsageError } from "../usage-error.ts";

export const COLD_START_USAGE = `pioneer cold-start --task "TEXT" (--labels a,b,c | --labels-file F) [options]
  from a task description to a registered, promoted model: today the zero-shot classifier (each
  label's prototype averages its definition, its seed examples and the description's clauses that
  name it), with no training and no key; classification only
  --labels-file F        one label a line, optionally label<TAB>definition
  --examples SEED.jsonl  a few labeled examples (phrasings of their labels)
  --eval EVAL.jsonl      real labeled data to score the model on
  --oos-label LABEL      out-of-scope label, predicted when no label is alike enough
  --model minilm|<dir>   the embedding model (default: minilm)
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
    },
  });
  // 1. Inputs, all checked before anything is written.
  if (!values.task?.trim()) throw new UsageError("cold-start needs --task, a description of the task");
  if (Boolean(values.labels) === Boolean(values["labels-file"])) throw new UsageError("cold-start needs --labels a,b,c or --labels-file F (one of them)");
  const labels = values["labels-file"]
    ? await readLabelsFile(values["labels-file"])
    : values.labels!.split(",").map((name) => ({ name: name.trim() })).filter((l) => l.name);
  const oos = values["oos-label"] ?? null;
  const names = new Set([...labels.map((l) => l.name), ...(oos ? [oos] : [])]);
  if (names.size < labels.length + (oos && !labels.some((l) => l.name === oos) ? 1 : 0)) throw new UsageError("--labels names a label twice");
  if (labels.filter((l) => l.name !== oos).length === 0) throw new UsageError("cold-start needs at least one label besides the out-of-scope one");
  const seeds = values.examples ? await labeledExamples(values.examples, names, "--examples") : [];
  const evalSet = values.eval ? await labeledExamples(values.eval, names, "--eval") : null;
  const runDir = resolve(values["run-dir"] ?? join("runs", `cold-start-${new Date().toISOString().replace(/[:.]/g, "-")}`));
  if (existsSync(join(runDir, "task-spec.json"))) throw new UsageError(`${runDir} already holds a cold start; choose another --run-dir`);
  const registry = openRegistry(values.registry);
  const modelDir = join(runDir, "models", "zero-shot");
  const registered = await registry.resolve(modelDir).catch(() => null);
  if (registered) throw new UsageError(`${modelDir} holds version ${registered.id}; a registered model directory is never rewritten: choose another --run-dir`);

  // 2. The task spec, kept in the run.
  const spec = offlineTaskSpec(values.task, labels, seeds.filter((e) => e.label !== oos), oos);
  await mkdir(runDir, { recursive: true });
  await writeJsonAtomic(join(runDir, "task-spec.json"), spec);
  console.error(`cold start in ${runDir}: ${spec.labels.length} labels${oos ? ` + out-of-scope "${oos}"` : ""}, ${seeds.length} seed examples`);

  // 3. The zero-shot model: label prototypes as the head, no training.
  const started = performance.now();
  const built = await buildZeroShotModel({
    out_dir: modelDir,
    labels: spec.labels.map((l) => l.name),
    phrases: Object.fromEntries(spec.labels.map((l) => [l.name, [l.definition, ...l.phrasings]])),
    model: values.model,
    ...(oos ? { oos_label: oos } : {}),
  });

  // 4. Evaluation on real labeled data, when there is some.
  const evaluation = evalSet ? await evaluateModel(built.modelDir, { kind: "classification", path: values.eval!, examples: evalSet }, await mkdtemp(join(runDir, "eval-"))) : null;
  const metrics = evaluation?.kind === "classification" ? { accuracy: evaluation.metrics.accuracy, macro_f1: evaluation.metrics.macro_f1, n: evalSet!.length } : {};

  // 5. Registered and promoted: a v0 that maintenance can improve once failures come in.
  const manifest = await registry.register({
    parent: null,
    model_dir: built.modelDir,
    data_version: dataVersionHash(seeds),
    task_kind: "classification",
    labels: [...spec.labels.map((l) => l.name), ...(oos ? [oos] : [])],
    base_model: values.model,
    strategy: "head",
    hyperparameters: { zero_shot: true, task_spec: spec.source },
    metrics,
    notes: `cold start (zero-shot) from: ${values.task.slice(0, 200)}`,
  });
  await registry.promote(manifest.id);
  const result = {
    promoted: manifest.id,
    model_dir: built.modelDir,
    run_dir: runDir,
    method: "zero-shot",
    metrics,
    evaluation: evaluation ? `real labeled data (${values.eval})` : "none: no labeled data was given (--eval)",
    examples: { seeds: { kept: seeds.length, dropped: 0 } },
    wall_s: Number(((performance.now() - started) / 1000).toFixed(1)),
  };
  await writeJsonAtomic(join(runDir, "report.json"), { ...result, task_spec: spec });
  await writeFileAtomic(join(runDir, "report.md"), [
    `# Cold start ${manifest.id}`,
    "",
    `Task: ${values.task}`,
    "",
    `Method: the zero-shot classifier (no training): each label's prototype averages its definition and ${spec.labels.reduce((n, l) => n + l.phrasings.length, 0)} phrasings (seed examples, then the description's clauses that name it).`,
    `Evaluation: ${result.evaluation}${evaluation ? `: accuracy ${(metrics.accuracy! * 100).toFixed(2)}%, macro-F1 ${(metrics.macro_f1! * 100).toFixed(2)}% on ${metrics.n} examples` : ""}.`,
    "",
    "| label | definition | phrasings |",
    "|---|---|---|",
    ...spec.labels.map((l) => `| ${l.name} | ${l.definition.replace(/\|/g, "/")} | ${l.phrasings.length} |`),
    "",
  ].join("\n"));
  if (values.json) {
    console.log(JSON.stringify(result));
    return;
  }
  console.log(`model ${manifest.id} (zero-shot) registered and promoted in ${registry.root}`);
  if (evaluation) console.log(evaluation.report);
  console.log(`report: ${join(runDir, "report.md")}; evaluate it with: pioneer eval --model ${manifest.id} --data TEST.jsonl`);
}
