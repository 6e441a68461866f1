import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Dataset, Example } from "../data/index.ts";
import { readExamples } from "../data/index.ts";
import { classificationMetrics } from "../evals/classification-metrics.ts";
import { entityMetrics } from "../evals/entity-metrics.ts";
import { writeFileAtomic } from "../lib/atomic-write.ts";
import type { WorkerServer } from "../trainer/serve-client.ts";
import type { ModelScores, RunFiles, TaskInfo } from "./state.ts";

/** One model's prediction for one example, as stored under a predictions folder. */
export interface StoredPrediction {
  id: string;
  /** Classification label, or the tag sequence joined by spaces (token tasks). */
  label: string;
  tags?: string[];
  confidence: number;
  probs?: Record<string, number>;
}

const BATCH = 256;

export function goldOf(example: Example): string {
  return "label" in example ? example.label : example.tags.join(" ");
}

/** Predicts every example with the model (kept loaded in the serve worker). */
export async function predictExamples(server: WorkerServer, modelDir: string, examples: readonly Example[]): Promise<StoredPrediction[]> {
  const out: StoredPrediction[] = [];
  for (let i = 0; i < examples.length; i += BATCH) {
    const batch = examples.slice(i, i + BATCH);
    const ids = batch.map((e) => e.id);
    if (batch.every((e) => "text" in e)) {
      const preds = await server.predictTexts(modelDir, batch.map((e) => ("text" in e ? e.text : "")), ids);
      out.push(...preds.map((p) => ({ id: p.id, label: p.label, confidence: p.confidence, probs: p.probs })));
    } else {
      const preds = await server.predictTokens(modelDir, batch.map((e) => ("tokens" in e ? e.tokens : [])), ids);
      out.push(
        ...preds.map((p) => ({
          id: p.id,
          label: p.tags.join(" "),
          tags: p.tags,
          // A sentence is only as certain as its least certain token.
          confidence: Math.min(1, ...p.confidences),
        })),
      );
    }
  }
  return out;
}

export async function writePredictions(path: string, predictions: readonly StoredPrediction[]): Promise<void> {
  await writeFileAtomic(path, predictions.map((p) => JSON.stringify(p)).join("\n") + "\n");
}

export async function readPredictions(path: string): Promise<Map<string, StoredPrediction>> {
  const rows = (await readFile(path, "utf8")).split("\n").filter((l) => l.trim());
  return new Map(rows.map((l) => {
    const p = JSON.parse(l) as StoredPrediction;
    return [p.id, p];
  }));
}

export function taskMetric(task: TaskInfo, gold: readonly Example[], preds: readonly StoredPrediction[]): { value: number; metrics: Record<string, unknown> } {
  if (task.kind === "classification") {
    const m = classificationMetrics(gold.map(goldOf), preds.map((p) => p.label), {
      modelLabels: task.labels,
      ...(task.oos_label ? { oosLabel: task.oos_label } : {}),
    });
    return { value: m.accuracy, metrics: { accuracy: m.accuracy, macro_f1: m.macro_f1, ...(m.oos ? { oos: m.oos } : {}) } };
  }
  const m = entityMetrics(gold.map((e) => ("tags" in e ? e.tags : [])), preds.map((p) => p.tags ?? p.label.split(" ")));
  return { value: m.f1, metrics: { entity_f1: m.f1, entity_precision: m.precision, entity_recall: m.recall } };
}

function accuracyOn(gold: readonly Example[], preds: readonly StoredPrediction[]): number {
  if (gold.length === 0) return 0;
  return gold.filter((g, i) => goldOf(g) === preds[i]?.label).length / gold.length;
}

export interface ScoredSets {
  scores: ModelScores;
  predictionsDir: string;
}

/** Scores a model on dev (task metric), the failures, the regression set and earlier runs' gold,
 * saving predictions to `<outDir>/{dev,failures,regression,earlier-runs}.jsonl` for flip analysis and
 * the gate. */
export async function scoreModel(server: WorkerServer, modelDir: string, files: RunFiles, task: TaskInfo, outDir: string): Promise<ScoredSets> {
  await mkdir(outDir, { recursive: true });
  const sets: Record<"dev" | "failures" | "regression", Dataset> & { "earlier-runs"?: Dataset } = {
    dev: await readExamples(files.dev, { kind: task.kind }),
    failures: await readExamples(files.failures, { kind: task.kind }),
    regression: await readExamples(files.regression, { kind: task.kind }),
    ...(files.earlier_runs ? { "earlier-runs": await readExamples(files.earlier_runs, { kind: task.kind }) } : {}),
  };
  const preds: Record<string, StoredPrediction[]> = {};
  for (const [name, dataset] of Object.entries(sets)) {
    preds[name] = await predictExamples(server, modelDir, dataset.examples);
    await writePredictions(join(outDir, `${name}.jsonl`), preds[name]!);
  }
  const dev = taskMetric(task, sets.dev.examples, preds.dev!);
  const failuresAccuracy = accuracyOn(sets.failures.examples, preds.failures!);
  const earlier = sets["earlier-runs"];
  return {
    predictionsDir: outDir,
    scores: {
      task: dev.value,
      dev: dev.metrics,
      failures: { n: sets.failures.examples.length, fixed: Math.round(failuresAccuracy * sets.failures.examples.length), accuracy: failuresAccuracy },
      regression: { n: sets.regression.examples.length, accuracy: accuracyOn(sets.regression.examples, preds.regression!) },
      ...(earlier ? { earlier_runs: { n: earlier.examples.length, accuracy: accuracyOn(earlier.examples, preds["earlier-runs"]!) } } : {}),
    },
  };
}
