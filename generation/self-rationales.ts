import { join } from "node:path";
import { readFile } from "node:fs/promises";
import { z } from "zod";
import type { GenerationDataset } from "../data/index.ts";
import { ANSWER_MARK, type AnswerExtractor, sameAnswer } from "../evals/answers.ts";
import { writeFileAtomic } from "../lib/atomic-write.ts";
import { predictFile, type Sampling, type WorkerRunOptions } from "../trainer/launcher.ts";

/** Outputs sampled per training question and their temperature: the student's own rationales.
 * Four at 0.7 keep a question when the student gets it right at least sometimes, without the
 * drift of hotter sampling. */
export const SELF_SAMPLING: Sampling = { samples: 4, temperature: 0.7, seed: 0 };

const SampledOutput = z.object({ id: z.string(), output: z.string(), sample: z.number().int().optional() });

export interface SelfRationales {
  /** Per example id, the rationale of its first sampled output that reached the gold answer. */
  rationales: Map<string, string>;
  sampled: number;
  /** Sampled outputs that reached the gold answer (several can for one question). */
  reached: number;
  sampling: Sampling;
  generated_tokens_per_s: number;
}

/** The worked part of an output: what comes before its answer line (empty for an answer alone). */
export function rationaleOf(output: string): string {
  const mark = output.lastIndexOf(ANSWER_MARK);
  return (mark >= 0 ? output.slice(0, mark) : "").trim();
}

/**
 * Self-rationales: `sampling.samples` outputs of the model in `modelDir` for every question of
 * `dataset`, and per question the first whose answer is the gold one and which works towards it
 * (a rationale before its answer line). Questions the student never gets right have none: they are
 * not trained on with these targets (rejection sampling on the student's own outputs).
 */
export async function sampleSelfRationales(
  modelDir: string,
  dataset: GenerationDataset,
  extractor: AnswerExtractor,
  workDir: string,
  sampling: Sampling = SELF_SAMPLING,
  options: WorkerRunOptions = {},
): Promise<SelfRationales> {
  const input = join(workDir, "self-questions.jsonl");
  const output = join(workDir, "self-samples.jsonl");
  await writeFileAtomic(input, dataset.examples.map((e) => `${JSON.stringify({ id: e.id, text: e.text })}\n`).join(""));
  const done = await predictFile(modelDir, input, output, { ...options, sampling });
  const gold = new Map(dataset.examples.map((e) => [e.id, e.target]));
  const rationales = new Map<string, string>();
  let sampled = 0;
  let reached = 0;
  for (const line of (await readFile(output, "utf8")).split("\n")) {
    if (!line.trim()) continue;
    const s = SampledOutput.parse(JSON.parse(line));
    sampled++;
    const target = gold.get(s.id);
    const rationale = rationaleOf(s.output);
    if (target === undefined || !rationale || !sameAnswer(s.output, target, extractor)) continue;
    reached++;
    if (!rationales.has(s.id)) rationales.set(s.id, rationale);
  }
  return { rationales, sampled, reached, sampling, generated_tokens_per_s: Number(done.metrics.generated_tokens_per_s ?? 0) };
}
