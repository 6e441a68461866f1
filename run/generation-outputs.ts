import type { GenerationDataset } from "../data/index.ts";
import { generationMetrics, type GenerationMetrics } from "../evals/generation-metrics.ts";
import { evaluateModel } from "../trainer/evaluate-model.ts";
import type { WorkerRunOptions } from "../trainer/launcher.ts";

/** One model's outputs on several question sets, each scored. */
export interface SetOutputs {
  /** Per set, in the order given: example id -> output. */
  outputs: Map<string, string>[];
  metrics: GenerationMetrics[];
  generated_tokens_per_s: number;
}

/**
 * The outputs of the generation model in `modelDir` on every set, from one evaluation (the decoder
 * is loaded once), with each set's exact match under the model's answer extractor. Ids may repeat
 * across sets.
 */
export async function outputsOn(modelDir: string, sets: readonly GenerationDataset[], workDir: string, options: WorkerRunOptions = {}): Promise<SetOutputs> {
  const all: GenerationDataset = { kind: "generation", path: sets.map((s) => s.path).join(" + "), examples: sets.flatMap((s, i) => s.examples.map((e) => ({ ...e, id: `${i}/${e.id}` }))) };
  const evaluated = await evaluateModel(modelDir, all, workDir, options);
  const outputs = sets.map(() => new Map<string, string>());
  for (const p of evaluated.predictions) {
    const slash = p.id.indexOf("/");
    outputs[Number(p.id.slice(0, slash))]!.set(p.id.slice(slash + 1), p.output);
  }
  const metrics = sets.map((s, i) => generationMetrics(s.examples.map((e) => e.target), s.examples.map((e) => outputs[i]!.get(e.id) ?? ""), evaluated.metrics.extractor));
  return { outputs, metrics, generated_tokens_per_s: evaluated.generated_tokens_per_s };
}
