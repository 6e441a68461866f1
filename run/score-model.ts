import type { Example } from "../data/index.ts";
import { classificationMetrics } from "../evals/classification-metrics.ts";
import { entityMetrics } from "../evals/entity-metrics.ts";
import { type Prediction, predictedLabel } from "../evals/types.ts";
import type { WorkerServer } from "../trainer/serve-client.ts";
import type { RunFolder, ScoredSet } from "./run-folder.ts";
import type { ModelScores, RunFiles, TaskInfo } from "./types.ts";

const BATCH = 256;

/** An example's gold in the vocabulary of predictions: its label, or its tags joined by spaces. */
export function goldOf(example: Example): string {
  return "label" in example ? example.label : example.tags.join(" ");
}

/** Predicts every example with the model (kept loaded in the serve worker). */
export async function predictExamples(server: WorkerServer, modelDir: string, examples: readonly Example[]): Promise<Prediction[]> {
  const out: Prediction[] = [];
  for (let i = 0; i < examples.length; i += BATCH) {
    const batch = examples.slice(i, i + BATCH);
    const ids = batch.map((e) => e.id);
    if (batch.every((e) => "text" in e)) {
      out.push(...(await server.predictTexts(modelDir, batch.map((e) => ("text" in e ? e.text : "")), ids)));
    } else {
      out.push(...(await server.predictTokens(modelDir, batch.map((e) => ("tokens" in e ? e.tokens : [])), ids)));
    }
  }
  return out;
}

export function taskMetric(task: TaskInfo, gold: readonly Example[], preds: readonly Prediction[]): { value: number; metrics: Record<string, unknown> } {
  if (task.kind === "classification") {
    const m = classificationMetrics(gold.map(goldOf), preds.map(predictedLabel), {
      modelLabels: task.labels,
      ...(task.oos_label ? { oosLabel: task.oos_label } : {}),
    });
    return { value: m.accuracy, metrics: { accuracy: m.accuracy, macro_f1: m.macro_f1, ...(m.oos ? { oos: m.oos } : {}) } };
  }
  const m = entityMetrics(gold.map((e) => ("tags" in e ? e.tags : [])), preds.map((p) => ("tags" in p ? p.tags : p.label.split(" "))));
  return { value: m.f1, metrics: { entity_f1: m.f1, entity_precision: m.precision, entity_recall: m.recall } };
}

function accuracyOn(gold: readonly Example[], preds: readonly Prediction[]): number {
  if (gold.length === 0) return 0;
  return gold.filter((g, i) => preds[i] !== undefined && goldOf(g) === predictedLabel(preds[i])).length / gold.length;
}

/** Scores a model on dev (task metric), the failures, the regression set and earlier runs' gold,
 * saving its predictions in the run folder (`predictionsDir`) for flip analysis and the gate. */
export async function scoreModel(server: WorkerServer, run: RunFolder, files: RunFiles, task: TaskInfo, modelDir: string, predictionsDir: string): Promise<ModelScores> {
  const sets: [ScoredSet, string][] = [["dev", files.dev], ["failures", files.failures], ["regression", files.regression]];
  if (files.earlier_runs) sets.push(["earlier-runs", files.earlier_runs]);
  if (files.guard) sets.push(["guard", files.guard]);
  const gold = new Map<ScoredSet, Example[]>();
  const preds = new Map<ScoredSet, Prediction[]>();
  for (const [name, path] of sets) {
    const examples = await run.examples(path);
    const predictions = await predictExamples(server, modelDir, examples);
    await run.writePredictions(predictionsDir, name, predictions);
    gold.set(name, examples);
    preds.set(name, predictions);
  }
  const on = (name: ScoredSet) => ({ n: gold.get(name)!.length, accuracy: accuracyOn(gold.get(name)!, preds.get(name)!) });
  const dev = taskMetric(task, gold.get("dev")!, preds.get("dev")!);
  const failures = on("failures");
  return {
    task: dev.value,
    dev: dev.metrics,
    failures: { n: failures.n, fixed: Math.round(failures.accuracy * failures.n), accuracy: failures.accuracy },
    regression: on("regression"),
    ...(files.earlier_runs ? { earlier_runs: on("earlier-runs") } : {}),
    ...(files.guard ? { guard: on("guard") } : {}),
  };
}
