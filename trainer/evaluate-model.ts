import { z } from "zod";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Dataset, type GenerationDataset, readExamples, readGenerationExamples } from "../data/index.ts";
import { writeFileAtomic } from "../lib/atomic-write.ts";
import { AnswerExtractor } from "../evals/answers.ts";
import { formatGenerationReport, type GenerationMetrics, generationMetrics } from "../evals/generation-metrics.ts";
import { writeExamplesJsonl } from "../data/index.ts";
import { predictFile, type WorkerRunOptions } from "./launcher.ts";
import { readModelDir } from "./model-dir.ts";
import { alignPredictions } from "../evals/align.ts";
import { type ClassificationMetrics, classificationMetrics } from "../evals/classification-metrics.ts";
import { type EntityMetrics, entityMetrics } from "../evals/entity-metrics.ts";
import { formatClassificationReport, formatEntityReport } from "../evals/report.ts";
import { ClassificationPredictionSchema, type ClassificationPrediction, TokenPredictionSchema, type TokenPrediction } from "../evals/types.ts";

/** The evaluation of a classification or token model. */
export type ExampleEvaluation =
  | { kind: "classification"; metrics: ClassificationMetrics; predictions: ClassificationPrediction[]; report: string; examples_per_s: number }
  | { kind: "token"; metrics: EntityMetrics; predictions: TokenPrediction[]; report: string; examples_per_s: number };
export type GenerationEvaluation = { kind: "generation"; metrics: GenerationMetrics; predictions: GenerationPrediction[]; report: string; examples_per_s: number; generated_tokens_per_s: number };
export type ModelEvaluation = ExampleEvaluation | GenerationEvaluation;

const GenerationPredictionSchema = z.object({ id: z.string(), output: z.string() });
export type GenerationPrediction = z.infer<typeof GenerationPredictionSchema>;

async function readJsonl(path: string): Promise<unknown[]> {
  return (await readFile(path, "utf8"))
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as unknown);
}

/** Predicts `dataset` with the model in `modelDir` (through the worker) and scores it. Gold labels
 * the model never saw are reported (unseen_labels), not fatal. */
export async function evaluateModel(modelDir: string, dataset: Dataset, workDir: string, options?: WorkerRunOptions): Promise<ExampleEvaluation>;
export async function evaluateModel(modelDir: string, dataset: GenerationDataset, workDir: string, options?: WorkerRunOptions): Promise<GenerationEvaluation>;
export async function evaluateModel(modelDir: string, dataset: Dataset | GenerationDataset, workDir: string, options?: WorkerRunOptions): Promise<ModelEvaluation>;
export async function evaluateModel(
  modelDir: string,
  dataset: Dataset | GenerationDataset,
  workDir: string,
  options: WorkerRunOptions = {},
): Promise<ModelEvaluation> {
  const model = await readModelDir(modelDir);
  if (model.kind !== dataset.kind) {
    throw new Error(`${dataset.path} holds ${dataset.kind} examples but the model at ${modelDir} is a ${model.kind} model`);
  }
  const input = join(workDir, "eval-input.jsonl");
  const output = join(workDir, "eval-predictions.jsonl");
  if (dataset.kind === "generation") {
    await writeFileAtomic(input, dataset.examples.map((e) => `${JSON.stringify({ id: e.id, text: e.text })}\n`).join(""));
    const done = await predictFile(modelDir, input, output, options);
    const predictions = (await readJsonl(output)).map((r) => GenerationPredictionSchema.parse(r));
    const pairs = alignPredictions(dataset.examples, predictions);
    const metrics = generationMetrics(pairs.gold.map((g) => g.target), pairs.predictions.map((p) => p.output), AnswerExtractor.parse(model.answer_extractor ?? "exact"));
    return { kind: "generation", metrics, predictions, report: formatGenerationReport(metrics), examples_per_s: Number(done.metrics.n ?? 0) / Math.max(Number(done.metrics.generate_s ?? 0), 1e-9), generated_tokens_per_s: Number(done.metrics.generated_tokens_per_s ?? 0) };
  }
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

/** Reads a labeled file in the model's own kind (generation: {"text","target"} lines) and scores
 * the model on it in a temporary work folder: `pioneer eval` and the chat's evaluate_model. */
export async function evaluateModelOnFile(modelDir: string, dataPath: string): Promise<{ evaluation: ModelEvaluation; n: number }> {
  const manifest = await readModelDir(modelDir);
  const dataset = manifest.kind === "generation" ? await readGenerationExamples(dataPath) : await readExamples(dataPath, { kind: manifest.kind });
  const work = await mkdtemp(join(tmpdir(), "pioneer-eval-"));
  try {
    return { evaluation: await evaluateModel(modelDir, dataset, work), n: dataset.examples.length };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
