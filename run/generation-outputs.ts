import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import type { GenerationDataset } from "../data/index.ts";
import type { AnswerExtractor } from "../evals/answers.ts";
import { generationMetrics, type GenerationMetrics } from "../evals/generation-metrics.ts";
import { writeFileAtomic } from "../lib/atomic-write.ts";
import { predictFile, type WorkerRunOptions } from "../trainer/launcher.ts";

const Output = z.object({ id: z.string(), output: z.string() });

/** One model's outputs on several question sets, each scored. */
export interface SetOutputs {
  /** Per set, in the order given: example id -> output. */
  outputs: Map<string, string>[];
  metrics: GenerationMetrics[];
  generated_tokens_per_s: number;
}

/**
 * The outputs of the generation model in `modelDir` on every set, from one worker run (the decoder
 * is loaded once), with each set's exact match. Ids may repeat across sets.
 */
export async function outputsOn(modelDir: string, sets: readonly GenerationDataset[], extractor: AnswerExtractor, workDir: string, options: WorkerRunOptions = {}): Promise<SetOutputs> {
  const input = join(workDir, "questions.jsonl");
  const output = join(workDir, "outputs.jsonl");
  await writeFileAtomic(input, sets.flatMap((s, i) => s.examples.map((e) => `${JSON.stringify({ id: `${i}/${e.id}`, text: e.text })}\n`)).join(""));
  const done = await predictFile(modelDir, input, output, options);
  const outputs = sets.map(() => new Map<string, string>());
  for (const line of (await readFile(output, "utf8")).split("\n")) {
    if (!line.trim()) continue;
    const o = Output.parse(JSON.parse(line));
    const slash = o.id.indexOf("/");
    outputs[Number(o.id.slice(0, slash))]!.set(o.id.slice(slash + 1), o.output);
  }
  const metrics = sets.map((s, i) => generationMetrics(s.examples.map((e) => e.target), s.examples.map((e) => outputs[i]!.get(e.id) ?? ""), extractor));
  return { outputs, metrics, generated_tokens_per_s: Number(done.metrics.generated_tokens_per_s ?? 0) };
}
