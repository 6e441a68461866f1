import type { TokenExample } from "../data/index.ts";
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
  source: "policy";
}

/** Every entity of BIO-tagged words: its type and its words joined by spaces (a leading I-X starts
 * one, as the worker decodes). */
export function entityValues(example: Pick<TokenExample, "tokens" | "tags">): { type: string; text: string }[] {
  const values: { type: string; words: string[] }[] = [];
  example.tags.forEach((tag, i) => {
    const type = tag.slice(2);
    const last = values.at(-1);
    if (tag === "O") return;
    if (tag.startsWith("I-") && last && last.type === type && example.tags[i - 1] !== "O") last.words.push(example.tokens[i]!);
    else values.push({ type, words: [example.tokens[i]!] });
  });
  return values.map((v) => ({ type: v.type, text: v.words.join(" ") }));
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
