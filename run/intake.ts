import { resolve } from "node:path";
import { classesOf, type Dataset, DataFileError, type Example, groupBy, readExamples, seededShuffle } from "../data/index.ts";
import { exampleKindOf, type ModelDirManifest, readModelDir } from "../trainer/model-dir.ts";
import { ModelRegistry } from "../trainer/registry.ts";
import { resourceOptions } from "./resources.ts";
import type { TaskInfo } from "./types.ts";

/** What a maintenance run starts from, every file validated. */
export interface ValidatedInputs {
  /** The deployed model: its registry version, when it is one, and its directory. */
  deployed: { id: string | null; dir: string; model: ModelDirManifest };
  task: TaskInfo;
  /** The deployed model's training data (all of it, for its data version hash). */
  train: readonly Example[];
  /** The pool a run may clean: the training data less the dev holdout when no dev set was given. */
  pool: Example[];
  dev: Example[];
  devGiven: boolean;
  regression: Example[];
  failures: Example[];
  /** The label (classification) or entity types (token) the deployed model knows. */
  known: Set<string>;
}

export interface IntakeOptions {
  model: string;
  train_path: string;
  regression_path: string;
  failures_path: string;
  dev_path?: string | undefined;
  run_dir: string;
  registry_dir?: string | undefined;
  allow_new_labels: boolean;
  seed: number;
}

/** Every failure label must be one the model knows, unless new labels are allowed: a typo'd label
 * would otherwise quietly become a new class. */
function checkLabels(dataset: Dataset, known: Set<string>, allowNew: boolean): void {
  if (allowNew) return;
  for (const [index, example] of dataset.examples.entries()) {
    const unknown = classesOf(example).filter((c) => !known.has(c));
    if (unknown.length) {
      throw new DataFileError({
        file: dataset.path,
        line: dataset.lines?.[index] ?? null,
        field: "label" in example ? "label" : "tags",
        problem: `"${unknown[0]}" is not in the model's label set (${[...known].slice(0, 8).join(", ")}${known.size > 8 ? ", ..." : ""}); fix the label, or pass --allow-new-labels to learn a new class`,
      });
    }
  }
}

/** The model's labels plus, when new labels are allowed, the failures' new ones (token tasks: the
 * B-/I- tags of new entity types), so candidates can learn them. */
function withNewLabels(modelLabels: readonly string[], failures: readonly Example[], allowNew: boolean): string[] {
  if (!allowNew) return [...modelLabels];
  const known = new Set(modelLabels);
  const added = new Set<string>();
  for (const example of failures) {
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

/** The deployed model: a registry version id, else a model directory (readModelDir says clearly
 * when it is neither). */
async function resolveDeployed(options: IntakeOptions): Promise<ValidatedInputs["deployed"]> {
  const registry = new ModelRegistry(resourceOptions(options).registryDir);
  let dir = resolve(options.model);
  let id: string | null = null;
  try {
    const manifest = await registry.resolve(options.model);
    dir = manifest.model_dir;
    id = manifest.id;
  } catch {
    // Not a registry id: a model directory.
  }
  return { id, dir, model: await readModelDir(dir) };
}

/** Design step 1, intake's validation: every input file read and checked against the deployed
 * model before anything starts, so bad input fails fast, naming file, line and field, and changes
 * nothing. */
export async function validateInputs(options: IntakeOptions): Promise<ValidatedInputs> {
  const deployed = await resolveDeployed(options);
  const kind = exampleKindOf(deployed.model, "maintenance");
  const train = await readExamples(options.train_path, { kind });
  const regression = await readExamples(options.regression_path, { kind });
  const failures = await readExamples(options.failures_path, { kind });
  const known = new Set(kind === "classification" ? deployed.model.labels : deployed.model.labels.filter((t) => t !== "O").map((t) => t.slice(2)));
  checkLabels(regression, known, false);
  checkLabels(failures, known, options.allow_new_labels);
  const given = options.dev_path ? { train: train.examples, dev: (await readExamples(options.dev_path, { kind })).examples } : holdOut(train.examples, options.seed);
  return {
    deployed,
    task: {
      kind,
      labels: withNewLabels(deployed.model.labels, failures.examples, options.allow_new_labels),
      oos_label: deployed.model.oos_label ?? null,
      metric: kind === "classification" ? "accuracy" : "entity_f1",
    },
    train: train.examples,
    pool: given.train,
    dev: given.dev,
    devGiven: Boolean(options.dev_path),
    regression: regression.examples,
    failures: failures.examples,
    known,
  };
}
