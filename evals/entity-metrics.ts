import { z } from "zod";
import { PerClassMetricsSchema } from "./classification-metrics.ts";
import { compareStrings } from "./compare-strings.ts";
import { ratio } from "./ratio.ts";

/** A typed span of tokens, `end` exclusive. */
export const EntitySpanSchema = z.object({
  type: z.string(),
  start: z.number().int().nonnegative(),
  end: z.number().int().positive(),
});
export type EntitySpan = z.infer<typeof EntitySpanSchema>;

export const EntityMetricsSchema = z.object({
  /** Micro precision: n_correct / n_pred. Higher is better. */
  precision: z.number(),
  /** Micro recall: n_correct / n_gold. Higher is better. */
  recall: z.number(),
  /** Micro F1: 2·n_correct / (n_gold + n_pred). Higher is better. */
  f1: z.number(),
  /** Per entity type over the union of gold and predicted types; support = #gold entities of the type. */
  per_type: z.record(z.string(), PerClassMetricsSchema),
  n_gold: z.number().int().nonnegative(),
  n_pred: z.number().int().nonnegative(),
  n_correct: z.number().int().nonnegative(),
});
export type EntityMetrics = z.infer<typeof EntityMetricsSchema>;

type ParsedTag = { prefix: "B" | "I" | "O"; type: string };

/** Splits an IOB2 tag into prefix and type ("B-PER" -> B/PER; a bare "B" or "I" gets seqeval's type "_"). */
function parseTag(tag: string, position: number): ParsedTag {
  if (tag === "O") return { prefix: "O", type: "" };
  if (tag === "B" || tag === "I") return { prefix: tag, type: "_" };
  if (tag.startsWith("B-") || tag.startsWith("I-")) {
    return { prefix: tag[0] as "B" | "I", type: tag.slice(2) || "_" };
  }
  throw new Error(`invalid IOB2 tag ${JSON.stringify(tag)} at position ${position}: expected "O", "B-<type>" or "I-<type>"`);
}

/**
 * Entities of one IOB2 tag sequence under seqeval's `mode='strict', scheme=IOB2`.
 *
 * An entity is a B-X followed by zero or more I-X of the same type. An I-X that does not continue a
 * B-X/I-X of the same type starts nothing and is dropped; a B-X always starts a new entity, so
 * "B-X B-X" is two entities. Spans are `[start, end)`.
 */
export function extractEntities(tags: readonly string[]): EntitySpan[] {
  const parsed = tags.map(parseTag);
  const spans: EntitySpan[] = [];
  let i = 0;
  while (i < parsed.length) {
    const tag = parsed[i]!;
    if (tag.prefix !== "B") {
      i++;
      continue;
    }
    let end = i + 1;
    while (end < parsed.length && parsed[end]!.prefix === "I" && parsed[end]!.type === tag.type) end++;
    spans.push({ type: tag.type, start: i, end });
    i = end;
  }
  return spans;
}

/**
 * Entities of one IOB2 tag sequence decoded leniently (conlleval style), for display only: an I-X
 * after O, at the start, or after an entity of another type starts a new entity instead of being
 * dropped. Do not use it for scoring; `extractEntities` is the scoring convention.
 */
export function decodeSpansLenient(tags: readonly string[]): EntitySpan[] {
  const parsed = tags.map(parseTag);
  const spans: EntitySpan[] = [];
  let open: EntitySpan | undefined;
  for (let i = 0; i < parsed.length; i++) {
    const tag = parsed[i]!;
    if (tag.prefix === "I" && open !== undefined && open.type === tag.type) {
      open.end = i + 1;
      continue;
    }
    if (open) spans.push(open);
    open = tag.prefix === "O" ? undefined : { type: tag.type, start: i, end: i + 1 };
  }
  if (open) spans.push(open);
  return spans;
}

/** Sorted, distinct entity types present (strict decoding) in a tag sequence; handy as a gate `classOf`. */
export function entityTypesOf(tags: readonly string[]): string[] {
  return [...new Set(extractEntities(tags).map((e) => e.type))].sort(compareStrings);
}

/**
 * Entity-level strict precision/recall/F1 (seqeval `mode='strict', scheme=IOB2`, default micro average).
 *
 * A predicted entity is correct only when a gold entity in the same sentence has the same type,
 * start and end. precision = n_correct / n_pred, recall = n_correct / n_gold,
 * f1 = 2·n_correct / (n_gold + n_pred); per type the same counts restricted to that type. 0/0 is 0.
 * All higher-is-better.
 */
export function entityMetrics(goldTags: readonly (readonly string[])[], predTags: readonly (readonly string[])[]): EntityMetrics {
  if (goldTags.length !== predTags.length) {
    throw new Error(
      `entityMetrics: goldTags has ${goldTags.length} sentences but predTags has ${predTags.length}; they must be parallel`,
    );
  }
  if (goldTags.length === 0) throw new Error("entityMetrics: no sentences (goldTags and predTags are empty)");

  const gold = new Map<string, number>();
  const pred = new Map<string, number>();
  const correct = new Map<string, number>();
  goldTags.forEach((g, s) => {
    const p = predTags[s]!;
    if (g.length !== p.length) {
      throw new Error(`entityMetrics: sentence ${s} has ${g.length} gold tags but ${p.length} predicted tags`);
    }
    const goldSpans = withSentence(s, "gold", () => extractEntities(g));
    const predSpans = withSentence(s, "predicted", () => extractEntities(p));
    const goldKeys = new Set(goldSpans.map(spanKey));
    for (const e of goldSpans) increment(gold, e.type);
    for (const e of predSpans) {
      increment(pred, e.type);
      if (goldKeys.has(spanKey(e))) increment(correct, e.type);
    }
  });

  const types = [...new Set([...gold.keys(), ...pred.keys()])].sort(compareStrings);
  const per_type = Object.fromEntries(
    types.map((t) => {
      const c = correct.get(t) ?? 0;
      const g = gold.get(t) ?? 0;
      const p = pred.get(t) ?? 0;
      return [t, { precision: ratio(c, p), recall: ratio(c, g), f1: ratio(2 * c, g + p), support: g }];
    }),
  );
  const n_gold = sum(gold);
  const n_pred = sum(pred);
  const n_correct = sum(correct);
  return {
    precision: ratio(n_correct, n_pred),
    recall: ratio(n_correct, n_gold),
    f1: ratio(2 * n_correct, n_gold + n_pred),
    per_type,
    n_gold,
    n_pred,
    n_correct,
  };
}

function withSentence<R>(sentence: number, side: string, fn: () => R): R {
  try {
    return fn();
  } catch (err) {
    throw new Error(`entityMetrics: sentence ${sentence} (${side}): ${(err as Error).message}`);
  }
}

function spanKey(e: EntitySpan): string {
  return JSON.stringify([e.type, e.start, e.end]);
}

function increment(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function sum(map: Map<string, number>): number {
  let total = 0;
  for (const v of map.values()) total += v;
  return total;
}
