import { mulberry32 } from "../lib/random.ts";
import type { Example } from "./example.ts";

/** The classes an example teaches: its label, or the entity types its tags contain. */
export function classesOf(example: Example): string[] {
  if ("label" in example) return [example.label];
  return [...new Set(example.tags.filter((t) => t !== "O").map((t) => t.slice(2)))];
}

/** At most `n` items spread evenly over the list (every k-th), so a slice keeps the label mix of
 * a file sorted by label. */
export function everyNth<T>(items: readonly T[], n: number): T[] {
  const step = Math.max(1, Math.floor(items.length / n));
  return items.filter((_, i) => i % step === 0).slice(0, n);
}

/** A seeded Fisher-Yates shuffle (a new array). */
export function seededShuffle<T>(items: readonly T[], seed: number): T[] {
  const random = mulberry32(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Items grouped by a key, in first-seen order. */
export function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}
