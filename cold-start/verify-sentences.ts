import type { TokenExample } from "../data/index.ts";
import { describeEntities, type FoundEntity, foundToBio, type WrittenEntity, writtenToBio } from "./entity-spans.ts";

/** A sentence the teacher wrote for a token task, before verification. */
export interface WrittenSentence {
  id: string;
  text: string;
  entities: WrittenEntity[];
  stage: string;
}

/** Where a token task's example came from, and why it was kept or dropped. */
export interface SentenceLineageRow {
  id: string;
  source: "seed" | "synthesized" | "pseudo-label";
  text?: string;
  tokens: string[];
  tags: string[];
  kept: boolean;
  why: string;
}

const normalized = (tokens: readonly string[]) => tokens.join(" ").toLowerCase().replace(/[^\p{L}\p{N}]+/gu, " ").trim();
const sameTags = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((t, i) => t === b[i]);

/**
 * The second judgement of the sentences the teacher wrote: each is converted to BIO words from its
 * character offsets (refused when they do not hold), then kept only when the teacher, asked blind
 * to find the entities of the same sentence, finds exactly the same ones (type and words); a
 * sentence whose words repeat a seed or an earlier kept sentence is a duplicate. The zero-shot tagger
 * does not vote: at 8% to 22% entity F1 (restaurant8k) it would throw away good sentences.
 */
export function verifyWrittenSentences(
  written: readonly WrittenSentence[],
  types: ReadonlySet<string>,
  seeds: readonly TokenExample[],
  found: ReadonlyMap<string, FoundEntity[] | null>,
  earlier: readonly TokenExample[] = [],
): { kept: TokenExample[]; lineage: SentenceLineageRow[] } {
  const seen = new Map([...seeds.map((s) => [normalized(s.tokens), `seed ${s.id}`] as const), ...earlier.map((e) => [normalized(e.tokens), e.id] as const)]);
  const kept: TokenExample[] = [];
  const lineage: SentenceLineageRow[] = [];
  for (const w of written) {
    const bio = writtenToBio(w.text, w.entities, types);
    if ("problem" in bio) {
      lineage.push({ id: w.id, source: "synthesized", text: w.text, tokens: [], tags: [], kept: false, why: `its entities do not hold: ${bio.problem}` });
      continue;
    }
    const row = { id: w.id, source: "synthesized" as const, text: w.text, tokens: bio.tokens, tags: bio.tags };
    const twin = seen.get(normalized(bio.tokens));
    const blind = found.get(w.id) ?? null;
    const judged = blind === null ? null : foundToBio(bio.tokens, blind, types);
    let why: string | null = null;
    if (twin) why = `duplicate of ${twin}`;
    else if (judged === null) why = "the teacher gave no second extraction";
    else if ("problem" in judged) why = `the teacher, asked blind, ${judged.problem}`;
    else if (!sameTags(judged.tags, bio.tags)) why = `the teacher, asked blind, finds ${describeEntities(judged)} (written: ${describeEntities(bio)})`;
    if (why) {
      lineage.push({ ...row, kept: false, why });
      continue;
    }
    seen.set(normalized(bio.tokens), w.id);
    const reason = `the teacher, asked blind, finds the same entities${bio.repaired ? ` (offsets of ${bio.repaired} moved to the entity's text)` : ""}`;
    kept.push({ id: w.id, tokens: bio.tokens, tags: bio.tags, stage: `${w.stage}; kept: ${reason}` });
    lineage.push({ ...row, kept: true, why: reason });
  }
  return { kept, lineage };
}

/**
 * Traffic sentences the tagger picked, labeled by the teacher: asked blind, its entities replace the
 * tagger's (an LLM teacher is the stronger labeler; demanding agreement with a tagger at 15% to 60%
 * entity F1 would keep mostly sentences without an entity). Dropped when the teacher gave nothing
 * or names words that are not in the sentence.
 */
export function teacherLabeledTraffic(
  examples: readonly TokenExample[],
  types: ReadonlySet<string>,
  found: ReadonlyMap<string, FoundEntity[] | null>,
): { kept: TokenExample[]; dropped: SentenceLineageRow[]; changed: number } {
  const kept: TokenExample[] = [];
  const dropped: SentenceLineageRow[] = [];
  let changed = 0;
  for (const e of examples) {
    const blind = found.get(e.id) ?? null;
    const judged = blind === null ? null : foundToBio(e.tokens, blind, types);
    if (judged === null || "problem" in judged) {
      dropped.push({ id: e.id, source: "pseudo-label", tokens: e.tokens, tags: e.tags, kept: false, why: judged === null ? "the teacher gave no extraction" : `the teacher, asked blind, ${judged.problem}` });
      continue;
    }
    const same = sameTags(judged.tags, e.tags);
    if (!same) changed++;
    kept.push({ ...e, tags: judged.tags, stage: `${e.stage}; labeled by the teacher, asked blind${same ? ", as the tagger did" : ` (the tagger found ${describeEntities(e)})`}` });
  }
  return { kept, dropped, changed };
}
