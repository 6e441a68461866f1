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

/** How a data version differs from another, example by example (matched by id; an example whose
 * content or weight differs counts as changed). */
export interface DataVersionDiff {
  added: number;
  removed: number;
  changed: number;
  /** Examples in the newer version. */
  size: number;
}

export function dataVersionDiff(before: readonly Example[], after: readonly Example[]): DataVersionDiff {
  const old = new Map(before.map((e) => [e.id, canonicalJsonLine(e)]));
  let added = 0;
  let changed = 0;
  for (const example of after) {
    const line = old.get(example.id);
    if (line === undefined) added++;
    else if (line !== canonicalJsonLine(example)) changed++;
  }
  const kept = new Set(after.map((e) => e.id));
  const removed = before.filter((e) => !kept.has(e.id)).length;
  return { added, removed, changed, size: after.length };
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
