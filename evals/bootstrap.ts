import { z } from "zod";
import { mulberry32 } from "../lib/random.ts";
import { percentile } from "./percentile.ts";

export const BootstrapOptionsSchema = z.object({
  /** Number of resamples. */
  samples: z.number().int().min(1).max(1_000_000).default(1000),
  /** PRNG seed (integer); same seed, same bounds. */
  seed: z.number().int().default(0),
  /** Two-sided confidence level of the percentile interval, in (0, 1). */
  confidence: z.number().gt(0).lt(1).default(0.95),
});
export type BootstrapOptions = z.input<typeof BootstrapOptionsSchema>;

export const BootstrapDeltaSchema = z.object({
  /** candidate accuracy − parent accuracy on the full set. Higher (positive) is better for the candidate. */
  delta: z.number(),
  /** Lower percentile bound of the resampled delta: (1 − confidence)/2. */
  low: z.number(),
  /** Upper percentile bound of the resampled delta: 1 − (1 − confidence)/2. */
  high: z.number(),
  samples: z.number().int().positive(),
});
export type BootstrapDelta = z.infer<typeof BootstrapDeltaSchema>;

/**
 * Paired bootstrap confidence interval for the accuracy change of a candidate over a parent.
 *
 * delta = mean(candidateCorrect) − mean(parentCorrect). Each resample draws n example indices with
 * replacement (the same indices for both models, which keeps the pairing) and records the delta on
 * them; low/high are the linear-interpolated percentiles at (1−confidence)/2 and 1−(1−confidence)/2.
 * An interval entirely below 0 means the candidate is significantly worse. Deterministic for a seed.
 */
export function pairedBootstrapDelta(
  parentCorrect: readonly boolean[],
  candidateCorrect: readonly boolean[],
  options: BootstrapOptions = {},
): BootstrapDelta {
  const n = parentCorrect.length;
  if (candidateCorrect.length !== n) {
    throw new Error(
      `pairedBootstrapDelta: parentCorrect has ${n} entries but candidateCorrect has ${candidateCorrect.length}`,
    );
  }
  if (n === 0) throw new Error("pairedBootstrapDelta: no examples");
  const parsed = BootstrapOptionsSchema.safeParse(options);
  if (!parsed.success) throw new Error(`pairedBootstrapDelta: invalid options: ${z.prettifyError(parsed.error)}`);
  const { samples, seed, confidence } = parsed.data;

  // Per-example difference in {-1, 0, 1}; every delta is an integer sum over n, so it is exact-ish.
  const diff = new Int8Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    diff[i] = Number(candidateCorrect[i]) - Number(parentCorrect[i]);
    total += diff[i]!;
  }

  const rng = mulberry32(seed);
  const deltas = new Float64Array(samples);
  for (let s = 0; s < samples; s++) {
    let sum = 0;
    for (let k = 0; k < n; k++) sum += diff[Math.floor(rng() * n)]!;
    deltas[s] = sum / n;
  }
  deltas.sort();
  const alpha = 1 - confidence;
  return {
    delta: total / n,
    low: percentile(deltas, alpha / 2),
    high: percentile(deltas, 1 - alpha / 2),
    samples,
  };
}
