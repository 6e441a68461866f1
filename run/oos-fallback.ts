import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Example } from "../data/index.ts";
import { predictedLabel } from "../evals/types.ts";
import { writeJsonAtomic } from "../lib/atomic-write.ts";
import { bestCut, type CutPoint, correctAt } from "../evals/oos-cut.ts";
import { ModelDirManifest } from "../trainer/model-dir.ts";
import type { WorkerServer } from "../trainer/serve-client.ts";
import { goldOf, predictExamples } from "./score-model.ts";

/** A threshold must win at least this many more examples than none: on a dev set of a few hundred
 * queries, one example is noise, and the gate then judges the candidate on the same set. */
export const MIN_THRESHOLD_GAIN = 2;

export interface OosFallbackChoice {
  /** In-scope answers less confident than this become the out-of-scope label; null: no fallback. */
  threshold: number | null;
  n: number;
  oos_examples: number;
  accuracy_before: number;
  accuracy_after: number;
  /** Answers of the set that fall back at the threshold. */
  fallbacks: number;
}

/**
 * The confidence under which an in-scope answer is replaced by the out-of-scope label, the most
 * accurate on a labeled set (evals/oos-cut.ts: the middle of the best interval), when it wins at least
 * `minGain` examples over no fallback. Answers that already are the out-of-scope label stay.
 */
export function chooseOosFallback(gold: readonly string[], preds: readonly { label: string; confidence: number }[], oosLabel: string, minGain = MIN_THRESHOLD_GAIN): OosFallbackChoice {
  const n = gold.length;
  const answeredOos = preds.filter((p, i) => p.label === oosLabel && gold[i] === oosLabel).length;
  const points: CutPoint[] = preds.flatMap((p, i) => (p.label === oosLabel ? [] : [{ score: p.confidence, rightIfFallback: gold[i] === oosLabel, rightIfKept: gold[i] === p.label }]));
  const before = answeredOos + points.filter((x) => x.rightIfKept).length;
  const base = { n, oos_examples: gold.filter((g) => g === oosLabel).length, accuracy_before: n ? before / n : 0 };
  const best = bestCut(points, 0.001);
  const threshold = Math.min(1, Number(best.threshold.toFixed(6)));
  const after = answeredOos + correctAt(points, threshold);
  if (after - before < minGain) return { ...base, threshold: null, accuracy_after: base.accuracy_before, fallbacks: 0 };
  return { ...base, threshold, accuracy_after: after / n, fallbacks: points.filter((x) => x.score < threshold).length };
}

/** What a round's fallback choice was, in words (the report and the chat's explain). */
export function oosFallbackText(choice: OosFallbackChoice, oosLabel: string): string {
  const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
  return choice.threshold === null
    ? `none (no threshold won ${MIN_THRESHOLD_GAIN}+ of the ${choice.n} dev examples)`
    : `answers under confidence ${choice.threshold.toFixed(3)} become "${oosLabel}" (chosen on the ${choice.n} dev examples, ${choice.oos_examples} out of scope: ${pct(choice.accuracy_before)} -> ${pct(choice.accuracy_after)}; the gate then judged it on the same set)`;
}

/**
 * Tunes a freshly trained classifier's out-of-scope fallback on a labeled set (the production dev
 * set, when the run has a log) and writes it into the model's pioneer.json as oos_threshold, so every
 * later prediction (the gate's, `pioneer predict`, serving) applies it; the server then forgets the
 * copy it loaded without it. Null when the model has no out-of-scope class.
 */
export async function tuneOosFallback(server: WorkerServer, modelDir: string, examples: readonly Example[], oosLabel: string): Promise<OosFallbackChoice | null> {
  const path = join(modelDir, "pioneer.json");
  const raw = JSON.parse(await readFile(path, "utf8")) as Record<string, unknown>;
  const manifest = ModelDirManifest.parse(raw);
  if (manifest.kind !== "classification" || !manifest.labels.includes(oosLabel) || examples.length === 0) return null;
  const preds = await predictExamples(server, modelDir, examples);
  const choice = chooseOosFallback(examples.map(goldOf), preds.map((p) => ({ label: predictedLabel(p), confidence: "confidence" in p ? p.confidence : 1 })), oosLabel);
  if (choice.threshold !== null) {
    await writeJsonAtomic(path, { ...raw, oos_threshold: choice.threshold });
    await server.unload(modelDir);
  }
  return choice;
}
