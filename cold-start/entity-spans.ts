import type { TokenExample } from "../data/index.ts";
import { entityValues } from "./entity-spec.ts";
import { splitWords, wordSpans } from "./words.ts";

/** An entity as the teacher writes it: its type, its character offsets (end exclusive) and its text. */
export interface WrittenEntity {
  type: string;
  start: number;
  end: number;
  text: string;
}

/** An entity as the teacher finds it in a sentence, asked blind: its type and its text. */
export interface FoundEntity {
  type: string;
  text: string;
}

type Bio = { tokens: string[]; tags: string[] };

const quote = (text: string) => JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}...` : text);

/**
 * A sentence the teacher wrote, its entities given by character offsets, as BIO-tagged words (cut
 * the way traffic is, `splitWords`); or what is wrong with it. Offsets that do not give the
 * entity's text are moved to its text when that occurs once in the sentence (models miscount
 * characters; `repaired` counts them); a type the task does not have, offsets out of the sentence,
 * offsets that cut a word and overlapping entities are refused.
 */
export function writtenToBio(text: string, entities: readonly WrittenEntity[], types: ReadonlySet<string>): (Bio & { repaired: number }) | { problem: string } {
  const words = wordSpans(text);
  if (words.length === 0) return { problem: "the sentence has no words" };
  let repaired = 0;
  const spans: { type: string; start: number; end: number }[] = [];
  for (const e of entities) {
    if (!types.has(e.type)) return { problem: `the entity ${quote(e.text)} has the type "${e.type}", which is not one of the task's` };
    let { start, end } = e;
    const valid = Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start < end && end <= text.length;
    if (!valid || text.slice(start, end) !== e.text) {
      const at = e.text ? text.indexOf(e.text) : -1;
      if (at < 0 || text.indexOf(e.text, at + 1) >= 0) {
        return { problem: valid ? `offsets ${start}-${end} give ${quote(text.slice(start, end))}, not ${quote(e.text)}` : `offsets ${start}-${end} are not a span of the sentence (${text.length} characters)` };
      }
      [start, end] = [at, at + e.text.length];
      repaired++;
    }
    const first = words.findIndex((w) => w.start === start);
    const last = words.findIndex((w) => w.end === end);
    if (first < 0 || last < first) return { problem: `offsets ${start}-${end} (${quote(e.text)}) cut a word` };
    spans.push({ type: e.type, start: first, end: last + 1 });
  }
  spans.sort((a, b) => a.start - b.start);
  const overlap = spans.find((s, i) => i > 0 && s.start < spans[i - 1]!.end);
  if (overlap) return { problem: `two entities overlap at the word ${quote(words[overlap.start]!.word)}` };
  return { ...bioOf(words.map((w) => w.word), spans), repaired };
}

/**
 * The BIO tags of `tokens` for the entities the teacher found in them, each located by its words
 * (case aside; the first occurrence not taken yet); or what is wrong: a value that is not in the
 * sentence, or a type the task does not have.
 */
export function foundToBio(tokens: readonly string[], entities: readonly FoundEntity[], types: ReadonlySet<string>): Bio | { problem: string } {
  const lower = tokens.map((t) => t.toLowerCase());
  const taken = new Array<boolean>(tokens.length).fill(false);
  const spans: { type: string; start: number; end: number }[] = [];
  for (const e of entities) {
    if (!types.has(e.type)) return { problem: `finds ${quote(e.text)} of the type "${e.type}", which is not one of the task's` };
    const words = splitWords(e.text).map((w) => w.toLowerCase());
    if (words.length === 0) return { problem: `finds an empty ${e.type}` };
    const start = lower.findIndex((_, i) => words.every((w, j) => lower[i + j] === w && !taken[i + j]));
    if (start < 0) return { problem: `finds ${e.type} ${quote(e.text)}, which is not in the sentence` };
    for (let j = 0; j < words.length; j++) taken[start + j] = true;
    spans.push({ type: e.type, start, end: start + words.length });
  }
  return bioOf([...tokens], spans.sort((a, b) => a.start - b.start));
}

function bioOf(tokens: string[], spans: readonly { type: string; start: number; end: number }[]): Bio {
  const tags = tokens.map(() => "O");
  for (const s of spans) for (let i = s.start; i < s.end; i++) tags[i] = `${i === s.start ? "B" : "I"}-${s.type}`;
  return { tokens, tags };
}

/** A sentence's entities in words, for a lineage's why: `time "7 pm", people "4"`, or `no entity`. */
export function describeEntities(example: Pick<TokenExample, "tokens" | "tags">): string {
  const values = entityValues(example);
  return values.length === 0 ? "no entity" : values.map((v) => `${v.type} ${quote(v.text)}`).join(", ");
}
