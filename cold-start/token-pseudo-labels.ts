import type { TokenExample } from "../data/index.ts";
import type { TokenPrediction } from "../evals/types.ts";

/** A message of real traffic cut into words. */
export interface TrafficSentence {
  id: string;
  tokens: string[];
}

/** A tagger's labels on real traffic that self-training keeps: per entity type, the sentences with
 * an entity of that type whose least confident word is most confident, and as many sentences
 * without any entity, the same way (real traffic is full of them, and the student must learn to say
 * nothing). `exclude`: ids already in the pool. Every kept example says why, in its `stage`. */
export function selectTokenPseudoLabels(
  traffic: readonly TrafficSentence[],
  predictions: ReadonlyMap<string, TokenPrediction>,
  options: { perType: number; by: string; exclude?: ReadonlySet<string> },
): TokenExample[] {
  const groups = new Map<string, { sentence: TrafficSentence; tags: string[]; least: number }[]>();
  for (const sentence of traffic) {
    const p = predictions.get(sentence.id);
    if (!p || options.exclude?.has(`pseudo/${sentence.id}`) || p.tags.length !== sentence.tokens.length) continue;
    const least = Math.min(...(p.confidences ?? p.tags.map(() => 0)));
    const types = [...new Set(p.tags.filter((t) => t !== "O").map((t) => t.slice(2)))];
    for (const group of types.length > 0 ? types : ["(none)"]) groups.set(group, [...(groups.get(group) ?? []), { sentence, tags: p.tags, least }]);
  }
  const chosen = new Map<string, TokenExample>();
  for (const [group, candidates] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    const ranked = candidates.sort((a, b) => b.least - a.least || a.sentence.id.localeCompare(b.sentence.id)).slice(0, options.perType);
    for (const { sentence, tags, least } of ranked) {
      const id = `pseudo/${sentence.id}`;
      if (!chosen.has(id)) chosen.set(id, { id, tokens: sentence.tokens, tags, stage: `pseudo-label (${options.by}; ${group === "(none)" ? "no entity" : group}, least confident word ${least.toFixed(3)})` });
    }
  }
  return [...chosen.values()];
}
