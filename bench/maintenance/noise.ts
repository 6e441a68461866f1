import type { Example } from "../../data/index.ts";

import { mulberry32 } from "../../lib/random.ts";

/** Seeded uniform random numbers in [0, 1): the evals' mulberry32. */
export const rng = mulberry32;

function pick<T>(items: readonly T[], random: () => number): T {
  return items[Math.floor(random() * items.length)]!;
}

/** Replaces a classification label by a different one drawn uniformly from the label set. */
export function wrongLabel(label: string, labels: readonly string[], random: () => number): string {
  return pick(labels.filter((l) => l !== label), random);
}

/** Corrupts every entity with probability `rate`: half the time its type is swapped for another,
 * half the time it is erased (tagged O). Returns the new tags and whether anything changed. */
export function corruptEntities(tags: readonly string[], types: readonly string[], rate: number, random: () => number): { tags: string[]; changed: boolean } {
  const out = [...tags];
  let changed = false;
  let i = 0;
  while (i < out.length) {
    if (!out[i]!.startsWith("B-")) {
      i++;
      continue;
    }
    let end = i + 1;
    while (end < out.length && out[end] === `I-${out[i]!.slice(2)}`) end++;
    if (random() < rate) {
      changed = true;
      const erase = random() < 0.5;
      const type = erase ? null : wrongLabel(out[i]!.slice(2), types, random);
      for (let j = i; j < end; j++) out[j] = type === null ? "O" : `${j === i ? "B" : "I"}-${type}`;
    }
    i = end;
  }
  return { tags: out, changed };
}

/** The training pool with a share of labels made wrong (classification: `rate` of examples get a
 * random other label; token: each entity is corrupted with probability `rate`). */
export function noisyPool(examples: readonly Example[], rate: number, seed: number): { examples: Example[]; corrupted: number } {
  const random = rng(seed);
  const labels = [...new Set(examples.flatMap((e) => ("label" in e ? [e.label] : [])))];
  const types = [...new Set(examples.flatMap((e) => ("tags" in e ? e.tags.filter((t) => t !== "O").map((t) => t.slice(2)) : [])))];
  let corrupted = 0;
  const out = examples.map((e) => {
    if ("label" in e) {
      if (random() >= rate) return e;
      corrupted++;
      return { ...e, label: wrongLabel(e.label, labels, random) };
    }
    const { tags, changed } = corruptEntities(e.tags, types, rate, random);
    if (changed) corrupted++;
    return { ...e, tags };
  });
  return { examples: out, corrupted };
}
