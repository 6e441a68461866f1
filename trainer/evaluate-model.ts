import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Dataset } from "../data/index.ts";
import { writeExamplesJsonl } from "../data/index.ts";
import { predictFile, type WorkerRunOptions } from "./launcher.ts";
import { readModelDir } from "./model-dir.ts";
import { alignPredictions } from "../evals/align.ts";
import { type ClassificationMetrics, classificationMetrics } from "../evals/classification-metrics.ts";
import { type EntityMetrics, entityMetrics } from "../evals/entity-metrics.ts";
import { formatClassificationReport, formatEntityReport } from "../evals/report.ts";
import { ClassificationPredictionSchema, type ClassificationPrediction, TokenPredictionSchema, type TokenPrediction } from "../evals/types.ts";

export type ModelEvaluation =
  | { kind: "classification"; metrics: ClassificationMetrics; predictions: ClassificationPrediction[]; report: string; examples_per_s: number }
  | { kind: "token"; metrics: EntityMetrics; predictions: TokenPrediction[]; report: string; examples_per_s: number };

async function readJsonl(path: string): Promise<unknown[]> {
  return (await readFile(path, "utf8"))
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as unknown);
}

/** Predicts `dataset` with the model in `modelDir` (through the worker) and scores it. Gold labels
 * the model never saw are reported (unseen_labels), not fatal. */
export async function evaluateModel(
  modelDir: string,
  dataset: Dataset,
  workDir: string,
  options: WorkerRunOptions = {},
): Promise<ModelEvaluation> {
  const model = await readModelDir(modelDir);
  if (model.kind !== dataset.kind) {
    throw new Error(`${dataset.path} holds ${dataset.kind} examples but the model at ${modelDir} is a ${model.kind} model`);
  }
  const input = join(workDir, "eval-input.jsonl");
  const output = join(workDir, "eval-predictions.jsonl");
  await writeExamplesJsonl(input, dataset.examples);
  const done = await predictFile(modelDir, input, output, options);
  const rows = await readJsonl(output);
  const examplesPerS = Number(done.metrics.examples_per_s ?? 0);
  if (dataset.kind === "classification") {
    const predictions = rows.map((r) => ClassificationPredictionSchema.parse(r));
    const pairs = alignPredictions(dataset.examples, predictions);
    const metrics = classificationMetrics(
      pairs.gold.map((g) => g.label),
      pairs.predictions.map((p) => p.label),
      { modelLabels: model.labels, ...(model.oos_label ? { oosLabel: model.oos_label } : {}) },
    );
    return { kind: "classification", metrics, predictions, report: formatClassificationReport(metrics), examples_per_s: examplesPerS };
  }
  const predictions = rows.map((r) => TokenPredictionSchema.parse(r));
  const pairs = alignPredictions(dataset.examples, predictions);
  const metrics = entityMetrics(
    pairs.gold.map((g) => g.tags),
    pairs.predictions.map((p) => p.tags),
  );
  return { kind: "token", metrics, predictions, report: formatEntityReport(metrics), examples_per_s: examplesPerS };
}
