import type { TokenExample } from "../data/index.ts";
import { decodeSpansLenient } from "../evals/entity-metrics.ts";
import { clauses, readableLabel } from "./task-spec.ts";

/** One entity type of a token task as the cold start understands it. */
export interface EntityTypeSpec {
  name: string;
  definition: string;
  /** Values of this type in the seed examples (distinct, as written), then the description's
   * clauses that name it (all its words of three letters or more). */
  phrasings: string[];
}

export interface EntitySpec {
  kind: "token";
  description: string;
  types: EntityTypeSpec[];
  /** Who wrote the definitions: the offline policy, or the LLM teacher. */
  source: "policy" | "llm";
}

/** Every entity of BIO-tagged words: its type and its words joined by spaces (a leading I-X starts
 * one, as the worker decodes). */
export function entityValues(example: Pick<TokenExample, "tokens" | "tags">): { type: string; text: string }[] {
  return decodeSpansLenient(example.tags).map((s) => ({ type: s.type, text: example.tokens.slice(s.start, s.end).join(" ") }));
}

/** The entity spec without an LLM: each type's definition is the one given or its readable name;
 * its phrasings are its seed values, then the description's clauses that name it. */
export function offlineEntitySpec(description: string, types: readonly { name: string; definition?: string }[], seeds: readonly TokenExample[]): EntitySpec {
  const described = clauses(description);
  const values = seeds.flatMap(entityValues);
  return {
    kind: "token",
    description,
    types: types.map((t) => {
      const words = readableLabel(t.name).split(" ").filter((w) => w.length > 2);
      const mentions = described.filter((s) => words.length > 0 && words.every((w) => s.toLowerCase().includes(w)));
      return { name: t.name, definition: t.definition ?? readableLabel(t.name), phrasings: [...new Set(values.filter((v) => v.type === t.name).map((v) => v.text))].concat(mentions) };
    }),
    source: "policy",
  };
}
