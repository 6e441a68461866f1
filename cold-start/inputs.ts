import { existsSync } from "node:fs";
import { join } from "node:path";
import { type ClassificationExample, DataFileError, readExamples, type TokenExample } from "../data/index.ts";
import type { ModelRegistry } from "../trainer/registry.ts";
import { readLabelsFile } from "./task-spec.ts";
import { readUnlabeled, type TrafficMessage } from "./unlabeled.ts";

/** A mistake in what a cold start was given (the CLI answers it with its usage and exit 2). */
export class ColdStartInputError extends Error {
  override name = "ColdStartInputError";
}

export interface ColdStartFiles {
  task: string;
  /** Label names (`--labels`), or a labels file: one of the two. */
  labels?: readonly string[];
  labelsFile?: string;
  oosLabel?: string | null;
  examplesPath?: string;
  evalPath?: string;
  unlabeledPath?: string;
}

export interface ColdStartData {
  labels: { name: string; definition?: string }[];
  oosLabel: string | null;
  seeds: ClassificationExample[];
  evalData: { path: string; examples: ClassificationExample[] } | null;
  traffic: TrafficMessage[] | null;
}

/** The examples of `path`, or an error naming the line of the first that `problemOf` finds fault with. */
async function checkedExamples<E extends ClassificationExample | TokenExample>(
  path: string,
  kind: "classification" | "token",
  problemOf: (e: E) => { field: string; problem: string; hint: string } | null,
): Promise<E[]> {
  const data = await readExamples(path, { kind });
  const examples = data.examples as E[];
  examples.forEach((e, i) => {
    const fault = problemOf(e);
    if (fault) throw new DataFileError({ file: path, line: data.lines?.[i] ?? null, ...fault });
  });
  return examples;
}

/** The examples of `path`, every label in `labels`, else an error naming the line. */
function labeledExamples(path: string, labels: ReadonlySet<string>, what: string): Promise<ClassificationExample[]> {
  return checkedExamples<ClassificationExample>(path, "classification", (e) =>
    labels.has(e.label) ? null : { field: "label", problem: `"${e.label}" is not one of the task's labels`, hint: `${what}: every label must be one of the task's` });
}

/** Everything a cold start reads, checked before anything is written: file errors name file, line
 * and field. */
export async function readColdStartInputs(given: ColdStartFiles): Promise<ColdStartData> {
  if (!given.task.trim()) throw new ColdStartInputError("a cold start needs a description of the task");
  if (Boolean(given.labels?.length) === Boolean(given.labelsFile)) throw new ColdStartInputError("a cold start needs the label names or a labels file (one of them)");
  const labels = given.labelsFile
    ? await readLabelsFile(given.labelsFile)
    : given.labels!.map((name) => ({ name: name.trim() })).filter((l) => l.name);
  const oosLabel = given.oosLabel ?? null;
  if (new Set(labels.map((l) => l.name)).size !== labels.length) throw new ColdStartInputError("the labels name a label twice");
  if (labels.filter((l) => l.name !== oosLabel).length === 0) throw new ColdStartInputError("a cold start needs at least one label besides the out-of-scope one");
  const names = new Set([...labels.map((l) => l.name), ...(oosLabel ? [oosLabel] : [])]);
  const seeds = given.examplesPath ? await labeledExamples(given.examplesPath, names, "the seed examples") : [];
  const evalExamples = given.evalPath ? await labeledExamples(given.evalPath, names, "the evaluation data") : null;
  const traffic = given.unlabeledPath ? await readUnlabeled(given.unlabeledPath) : null;
  return { labels, oosLabel, seeds, evalData: evalExamples ? { path: given.evalPath!, examples: evalExamples } : null, traffic };
}

/** A token task's examples of `path`, every tag's type one of `types`, else an error naming the line. */
function taggedExamples(path: string, types: ReadonlySet<string>, what: string): Promise<TokenExample[]> {
  return checkedExamples<TokenExample>(path, "token", (e) => {
    const stray = e.tags.find((t) => t !== "O" && !types.has(t.slice(2)));
    return stray ? { field: "tags", problem: `"${stray}" tags a type that is not one of the task's entity types`, hint: `${what}: every tag must be O, B-<type> or I-<type> of the task's types` } : null;
  });
}

export interface TokenColdStartData {
  types: { name: string; definition?: string }[];
  seeds: TokenExample[];
  evalData: { path: string; examples: TokenExample[] } | null;
  traffic: TrafficMessage[] | null;
}

/** What a token-task cold start reads (`--labels` are its entity types; seeds and --eval are
 * {"tokens","tags"} JSONL), checked before anything is written. */
export async function readTokenColdStartInputs(given: Omit<ColdStartFiles, "oosLabel">): Promise<TokenColdStartData> {
  const { labels, traffic } = await readColdStartInputs({
    task: given.task, ...(given.labels ? { labels: given.labels } : {}), ...(given.labelsFile ? { labelsFile: given.labelsFile } : {}), ...(given.unlabeledPath ? { unlabeledPath: given.unlabeledPath } : {}),
  });
  const types = new Set(labels.map((l) => l.name));
  const seeds = given.examplesPath ? await taggedExamples(given.examplesPath, types, "the seed examples") : [];
  const evalExamples = given.evalPath ? await taggedExamples(given.evalPath, types, "the evaluation data") : null;
  return { types: labels, seeds, evalData: evalExamples ? { path: given.evalPath!, examples: evalExamples } : null, traffic };
}

/** A cold start writes into a folder of its own: never over another run, never into a model
 * directory the registry holds (a registered directory is never rewritten). */
export async function assertFreshRunDir(runDir: string, registry: ModelRegistry): Promise<void> {
  if (existsSync(join(runDir, "task-spec.json"))) throw new ColdStartInputError(`${runDir} already holds a cold start; choose another run folder`);
  const modelDir = join(runDir, "models", "zero-shot");
  const registered = await registry.resolve(modelDir).catch(() => null);
  if (registered) throw new ColdStartInputError(`${modelDir} holds version ${registered.id}; a registered model directory is never rewritten: choose another run folder`);
}
