import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { classesOf, type Dataset, DataFileError, dataVersionHash, type Example, groupBy, readExamples, seededShuffle, writeExamplesJsonl } from "../../data/index.ts";
import { readModelDir } from "../../trainer/model-dir.ts";
import { MaintainInput } from "../maintain-input.ts";
import { getRunContext, registryDirOf } from "../run-context.ts";
import { ModelRegistry } from "../../trainer/registry.ts";
import { earlierRunGold, inputsOf } from "../earlier-runs.ts";
import { goldOf, scoreModel } from "../score-model.ts";
import type { MaintainStateType, MaintainUpdate, RunFiles, TaskInfo } from "../state.ts";

/** Every failure label must be one the model knows, unless new labels are allowed: a typo'd label
 * would otherwise quietly become a new class. */
function checkLabels(dataset: Dataset, known: Set<string>, allowNew: boolean): void {
  if (allowNew) return;
  for (const [index, example] of dataset.examples.entries()) {
    const unknown = classesOf(example).filter((c) => !known.has(c));
    if (unknown.length) {
      throw new DataFileError({
        file: dataset.path,
        line: index + (dataset.path.toLowerCase().endsWith(".csv") ? 2 : 1), // records are one a line in these files
        field: "label" in example ? "label" : "tags",
        problem: `"${unknown[0]}" is not in the model's label set (${[...known].slice(0, 8).join(", ")}${known.size > 8 ? ", ..." : ""}); fix the label, or pass --allow-new-labels to learn a new class`,
      });
    }
  }
}

/** The model's labels plus, when new labels are allowed, the failures' new ones (token tasks: the
 * B-/I- tags of new entity types), so candidates can learn them. */
function withNewLabels(modelLabels: readonly string[], failures: Dataset, allowNew: boolean): string[] {
  if (!allowNew) return [...modelLabels];
  const known = new Set(modelLabels);
  const added = new Set<string>();
  for (const example of failures.examples) {
    const candidates = "label" in example ? [example.label] : classesOf(example).flatMap((type) => [`B-${type}`, `I-${type}`]);
    for (const label of candidates) if (!known.has(label)) added.add(label);
  }
  return [...modelLabels, ...[...added].sort()];
}

/** A stratified, seeded 10% of the training data, for a dev set when the caller gave none. */
function holdOut(examples: readonly Example[], seed: number): { train: Example[]; dev: Example[] } {
  const train: Example[] = [];
  const dev: Example[] = [];
  for (const group of groupBy(examples, (e) => classesOf(e)[0] ?? "O").values()) {
    const shuffled = seededShuffle(group, seed);
    const n = Math.floor(shuffled.length / 10);
    dev.push(...shuffled.slice(0, n));
    train.push(...shuffled.slice(n));
  }
  return { train, dev };
}

/** 1. intake: validate every input file, resolve the deployed model, write normalized copies to the
 * run folder and score the deployed model on dev, failures and regression set. */
export async function intakeNode(state: MaintainStateType): Promise<MaintainUpdate> {
  const input = MaintainInput.parse(state.input);
  // Everything is validated before a worker starts: bad input fails fast and changes nothing.
  const registry = new ModelRegistry(registryDirOf(input));
  let modelDir = resolve(input.model);
  let modelId: string | null = null;
  try {
    const manifest = await registry.resolve(input.model);
    modelDir = manifest.model_dir;
    modelId = manifest.id;
  } catch {
    // Not a registry id: a model directory (readModelDir below says so clearly if it is not one).
  }
  const model = await readModelDir(modelDir);
  const kind = model.kind;
  const train = await readExamples(input.train_path, { kind });
  const regression = await readExamples(input.regression_path, { kind });
  const failures = await readExamples(input.failures_path, { kind });
  const known = new Set(kind === "classification" ? model.labels : model.labels.filter((t) => t !== "O").map((t) => t.slice(2)));
  checkLabels(regression, known, false);
  checkLabels(failures, known, input.allow_new_labels);

  const context = await getRunContext(input);
  const inputsDir = join(input.run_dir, "inputs");
  await mkdir(inputsDir, { recursive: true });
  let pool: Example[] = train.examples;
  let dev: Example[];
  if (input.dev_path) {
    dev = (await readExamples(input.dev_path, { kind })).examples;
  } else {
    ({ train: pool, dev } = holdOut(train.examples, input.seed));
  }
  const files: RunFiles = {
    train: join(inputsDir, "train.jsonl"),
    regression: join(inputsDir, "regression.jsonl"),
    failures: join(inputsDir, "failures.jsonl"),
    dev: join(inputsDir, "dev.jsonl"),
  };
  await writeExamplesJsonl(files.train, pool);
  await writeExamplesJsonl(files.regression, regression.examples);
  await writeExamplesJsonl(files.failures, failures.examples);
  await writeExamplesJsonl(files.dev, dev);

  if (modelId === null) {
    // Register the deployed model so every candidate has a parent in the lineage; it becomes the
    // promoted version only if the registry has none yet.
    const manifest = await context.registry.register({
      parent: null,
      model_dir: modelDir,
      data_version: dataVersionHash(train.examples),
      task_kind: kind,
      labels: model.labels,
      base_model: model.base_model,
      strategy: model.strategy,
      hyperparameters: model.config,
      metrics: model.metrics,
      notes: "registered by maintain as the deployed model",
    });
    modelId = manifest.id;
    if ((await context.registry.promoted()) === null) await context.registry.promote(manifest.id);
  }

  // What earlier runs on this model's lineage taught it, from memory: gated and kept like gold.
  const runId = state.run_id || `run-${new Date().toISOString().replace(/[:.]/g, "-")}`;
  const lineage = (await context.registry.lineage(modelId)).map((m) => m.id);
  const earlier = earlierRunGold(await context.memory.acceptedFailuresOf(lineage, { excludeRunId: runId }), {
    kind,
    known,
    currentInputs: inputsOf(failures.examples),
  });
  if (earlier.examples.length > 0) {
    files.earlier_runs = join(inputsDir, "earlier-runs.jsonl");
    await writeExamplesJsonl(files.earlier_runs, earlier.examples);
  }

  const task: TaskInfo = {
    kind,
    labels: withNewLabels(model.labels, failures, input.allow_new_labels),
    oos_label: model.oos_label ?? null,
    metric: kind === "classification" ? "accuracy" : "entity_f1",
  };
  const scored = await scoreModel(context.server, modelDir, files, task, join(input.run_dir, "predictions", "parent-0"));
  const parent = { id: modelId, dir: modelDir, scores: scored.scores, predictions_dir: scored.predictionsDir };
  const failuresLabels = new Set(failures.examples.map(goldOf));
  return {
    run_id: runId,
    started_at: state.started_at || new Date().toISOString(),
    task,
    files,
    baseline: parent,
    parent,
    decisions: [
      {
        agent: "intake",
        round: 0,
        at: new Date().toISOString(),
        decision: {
          model: modelId ?? modelDir,
          train: pool.length,
          dev: dev.length,
          dev_source: input.dev_path ? "given" : "10% of train, stratified: the deployed model trained on it, so its score is inflated",
          regression: regression.examples.length,
          failures: failures.examples.length,
          failure_labels: failuresLabels.size,
          earlier_runs: [...groupBy(earlier.examples, (e) => e.stage ?? "")].map(([run_id, gold]) => ({ run_id, gold: gold.length })),
          earlier_runs_skipped: earlier.skipped,
          parent_task_metric: scored.scores.task,
        },
      },
    ],
  };
}
