import { isTokenExample, type Example } from "./example.ts";

export interface CanonicalOptions {
  /** Also keep `pred` and `stage` (file contents); the data version leaves them out. */
  withAnnotations?: boolean;
}

/** The example as a plain object with keys in a fixed order — id, text|tokens, label|tags, weight
 * (then pred, stage) — so that its JSON text depends only on its content. */
export function canonicalExample(example: Example, opts: CanonicalOptions = {}): Record<string, unknown> {
  const out: Record<string, unknown> = isTokenExample(example)
    ? { id: example.id, tokens: example.tokens, tags: example.tags }
    : { id: example.id, text: example.text, label: example.label };
  if (example.weight !== undefined) out.weight = example.weight;
  if (opts.withAnnotations) {
    if (example.pred !== undefined) out.pred = example.pred;
    if (example.stage !== undefined) out.stage = example.stage;
  }
  return out;
}

/** One canonical JSONL line (without the line break). */
export function canonicalJsonLine(example: Example, opts: CanonicalOptions = {}): string {
  return JSON.stringify(canonicalExample(example, opts));
}
