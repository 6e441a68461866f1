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
  /** The training-split holdout scored beside a production dev set (absent otherwise). */
  guard?: Example[] | undefined;
  /** Where the out-of-scope label comes from (given, the model's, inferred, or none). */
  oosSource: string;
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
  /** The dev set is a production log's: hold out a tenth of train as a guard all the same. */
  production_dev?: boolean;
  /** The out-of-scope label, when the deployed model has none (it may be new to the model). */
  oos_label?: string | undefined;
}

/** Share of the failures a new label must be the gold of to be taken for the out-of-scope label
 * (a real log's out-of-scope traffic outnumbers any new intent). */
export const OOS_INFERENCE_SHARE = 0.5;

/** The out-of-scope label and where it comes from: given, the model's own, or inferred from the
 * failures (with new labels allowed, a new label that most of them share). */
export function outOfScopeLabel(options: { oos_label?: string | undefined; allow_new_labels: boolean }, model: ModelDirManifest, failures: readonly Example[]): { label: string | null; source: string } {
  if (options.oos_label) return { label: options.oos_label, source: "given" };
  if (model.oos_label) return { label: model.oos_label, source: "the deployed model's" };
  if (!options.allow_new_labels || failures.length === 0) return { label: null, source: "none" };
  const known = new Set(model.labels);
  const counts = new Map<string, number>();
  for (const f of failures) if ("label" in f && !known.has(f.label)) counts.set(f.label, (counts.get(f.label) ?? 0) + 1);
  const [top, n] = [...counts].sort((a, b) => b[1] - a[1])[0] ?? [null, 0];
  return top !== null && n / failures.length > OOS_INFERENCE_SHARE
    ? { label: top, source: `inferred: "${top}", new to the model, is the gold of ${n} of ${failures.length} failures` }
    : { label: null, source: "none" };
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
  // A given out-of-scope label may be new to the model without --allow-new-labels.
  const oos = kind === "classification" ? outOfScopeLabel(options, deployed.model, failures.examples) : { label: null, source: "none" };
  const knownWithOos = oos.label ? new Set([...known, oos.label]) : known;
  checkLabels(failures, knownWithOos, options.allow_new_labels);
  const given = options.dev_path ? { train: train.examples, dev: (await readExamples(options.dev_path, { kind })).examples } : holdOut(train.examples, options.seed);
  const guarded = options.production_dev ? holdOut(train.examples, options.seed) : null;
  return {
    deployed,
    task: {
      kind,
      labels: withNewLabels(oos.label && !deployed.model.labels.includes(oos.label) ? [...deployed.model.labels, oos.label] : deployed.model.labels, failures.examples, options.allow_new_labels),
      oos_label: oos.label,
      metric: kind === "classification" ? "accuracy" : "entity_f1",
    },
    train: train.examples,
    pool: guarded?.train ?? given.train,
    dev: given.dev,
    devGiven: Boolean(options.dev_path),
    guard: guarded?.dev,
    oosSource: oos.source,
    regression: regression.examples,
    failures: failures.examples,
    known,
  };
}
