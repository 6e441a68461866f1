import { z } from "zod";

/** One classifier output for one example: what the worker returns (`predict`, `serve`), what a run's
 * prediction files hold, and what the metrics read. */
export const ClassificationPredictionSchema = z.object({
  id: z.string().min(1),
  label: z.string(),
  /** Probability-like score of `label`, in [0, 1]. */
  confidence: z.number().min(0).max(1),
  /** Full distribution over the model's labels, when the runtime exposes it. */
  probs: z.record(z.string(), z.number()).optional(),
  /** True when `confidence` fell below the deployment threshold (the label may have been replaced by a fallback). */
  below_threshold: z.boolean().optional(),
  /** True when the model's answer, less confident than its oos_threshold, became its out-of-scope label. */
  oos_fallback: z.boolean().optional(),
});
export type ClassificationPrediction = z.infer<typeof ClassificationPredictionSchema>;

/** One token-classifier output for one sentence: one IOB2 tag (and optionally one confidence) per
 * token, and the entity spans they decode to (the worker adds them). */
export const TokenPredictionSchema = z
  .object({
    id: z.string().min(1),
    tags: z.array(z.string()),
    confidences: z.array(z.number()).optional(),
    spans: z.array(z.object({ type: z.string(), start: z.number(), end: z.number(), text: z.string() })).optional(),
  })
  .refine((p) => p.confidences === undefined || p.confidences.length === p.tags.length, {
    message: "confidences must have one entry per tag",
    path: ["confidences"],
  });
export type TokenPrediction = z.infer<typeof TokenPredictionSchema>;

/** A prediction of either task kind. */
export const PredictionSchema = z.union([ClassificationPredictionSchema, TokenPredictionSchema]);
export type Prediction = z.infer<typeof PredictionSchema>;

/** What a prediction says, in the vocabulary of gold: the label, or the tag sequence joined by spaces. */
export function predictedLabel(p: Prediction): string {
  return "label" in p ? p.label : p.tags.join(" ");
}

/** How sure the model is: the label's probability; for a sentence, its least certain token's. */
export function predictionConfidence(p: Prediction): number {
  return "label" in p ? p.confidence : Math.min(1, ...(p.confidences ?? []));
}

/** A labelled text-classification example. */
export const GoldClassificationExampleSchema = z.object({
  id: z.string().min(1),
  text: z.string(),
  label: z.string(),
});
export type GoldClassificationExample = z.infer<typeof GoldClassificationExampleSchema>;

/** A labelled token-classification sentence: one IOB2 tag per token. */
export const GoldTokenExampleSchema = z
  .object({
    id: z.string().min(1),
    tokens: z.array(z.string()),
    tags: z.array(z.string()),
  })
  .refine((e) => e.tokens.length === e.tags.length, {
    message: "tokens and tags must have the same length",
    path: ["tags"],
  });
export type GoldTokenExample = z.infer<typeof GoldTokenExampleSchema>;
