import { createHash } from "node:crypto";
import { canonicalJsonLine } from "./canonical-example.ts";
import type { Dataset, Example, TokenDataset } from "./example.ts";

/** sha256 (hex) of the examples' canonical JSONL — id, text|tokens, label|tags, weight — so the
 * same data hashes the same whether it came from JSONL or CSV, and any label change shows.
 * Predictions (`pred`) and `stage` are not part of the data version. Order matters. */
export function dataVersionHash(examples: readonly Example[]): string {
  const hash = createHash("sha256");
  for (const example of examples) hash.update(`${canonicalJsonLine(example)}\n`);
  return hash.digest("hex");
}

/** Sorted unique labels (classification), or the sorted tag set with "O" first (token). Sorting
 * is by code unit, not locale, so it is the same on every machine. */
export function labelSet(dataset: Dataset): string[] {
  if (dataset.kind === "classification") {
    return [...new Set(dataset.examples.map((example) => example.label))].sort(byCodeUnit);
  }
  const tags = new Set<string>();
  for (const example of dataset.examples) for (const tag of example.tags) tags.add(tag);
  const hasO = tags.delete("O");
  return [...(hasO ? ["O"] : []), ...[...tags].sort(byCodeUnit)];
}

/** Sorted entity types X of the `B-X`/`I-X` tags of a token data set. */
export function entityTypes(dataset: TokenDataset): string[] {
  const types = new Set<string>();
  for (const example of dataset.examples) {
    for (const tag of example.tags) if (tag !== "O") types.add(tag.slice(2));
  }
  return [...types].sort(byCodeUnit);
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
