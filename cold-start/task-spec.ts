import { readFile } from "node:fs/promises";
import { z } from "zod";
import { type ClassificationExample, DataFileError } from "../data/index.ts";

/** One label of a classification task as the cold start understands it. */
export const LabelSpec = z.object({
  name: z.string().min(1),
  definition: z.string().min(1),
  /** Real or described ways users say it: seed examples first, then the description's clauses that name it. */
  phrasings: z.array(z.string()),
  /** Messages near another label's boundary that still belong here (the LLM teacher's spec only). */
  edge_cases: z.array(z.string()).optional(),
});
export type LabelSpec = z.infer<typeof LabelSpec>;

export const TaskSpec = z.object({
  kind: z.literal("classification"),
  description: z.string(),
  labels: z.array(LabelSpec).min(1),
  oos_label: z.string().nullable(),
  /** Who wrote it: the offline policy (label names, the description's clauses, the seeds), or the
   * LLM teacher (definitions, phrasings and edge cases; the seeds stay first). */
  source: z.enum(["policy", "llm"]),
});
export type TaskSpec = z.infer<typeof TaskSpec>;

/** `card_arrival`, `card-arrival` and `CardArrival` read as "card arrival" (as the worker reads them). */
export function readableLabel(label: string): string {
  return label.replace(/(?<=[a-z0-9])(?=[A-Z])/g, " ").replace(/[_-]/g, " ").toLowerCase().trim();
}

const STOP = new Set(["a", "an", "the", "to", "of", "for", "my", "and", "or", "in", "on", "is", "get", "set"]);

/** The description cut into clauses (sentences, then commas, semicolons and "and"), so that a list
 * of intents in one sentence gives each its own phrase. */
export function clauses(text: string): string[] {
  return text.split(/[.!?;:,\n]+|\band\b/).map((s) => s.trim()).filter((s) => s.length > 0);
}

/** The task spec without an LLM: each label's definition is the one given (labels file) or its
 * readable name; its phrasings are its seed examples, then the description's clauses that name
 * it (all its content words). The out-of-scope label gets none: it has no prototype. */
export function offlineTaskSpec(description: string, labels: readonly { name: string; definition?: string }[], seeds: readonly ClassificationExample[], oosLabel: string | null): TaskSpec {
  const described = clauses(description);
  return {
    kind: "classification",
    description,
    labels: labels
      .filter((l) => l.name !== oosLabel)
      .map((l) => {
        const words = readableLabel(l.name).split(" ").filter((w) => w && !STOP.has(w));
        const mentions = described.filter((s) => words.length > 0 && words.every((w) => s.toLowerCase().includes(w)));
        return { name: l.name, definition: l.definition ?? readableLabel(l.name), phrasings: [...seeds.filter((e) => e.label === l.name).map((e) => e.text), ...mentions] };
      }),
    oos_label: oosLabel,
    source: "policy",
  };
}

/** A labels file: one label a line, optionally `label<TAB>definition`; blank lines and `#` comments
 * are skipped. Errors name the file and line. */
export async function readLabelsFile(path: string): Promise<{ name: string; definition?: string }[]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    throw new DataFileError({ file: path, line: null, field: null, problem: `cannot read the labels file (${(err as NodeJS.ErrnoException).code ?? String(err)})` }, { cause: err });
  }
  const labels: { name: string; definition?: string }[] = [];
  const seen = new Map<string, number>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === "" || raw.trimStart().startsWith("#")) return;
    const [name = "", ...rest] = raw.split("\t");
    const definition = rest.join("\t").trim();
    if (name.trim() === "" || name !== name.trim() || /\s/.test(name)) {
      throw new DataFileError({ file: path, line, field: "label", problem: `expected a label name without spaces, got ${JSON.stringify(name)}`, hint: "one label a line, optionally label<TAB>definition" });
    }
    const first = seen.get(name);
    if (first !== undefined) throw new DataFileError({ file: path, line, field: "label", problem: `"${name}" is listed twice (lines ${first} and ${line})` });
    seen.set(name, line);
    labels.push(definition ? { name, definition } : { name });
  });
  if (labels.length === 0) throw new DataFileError({ file: path, line: null, field: null, problem: "lists no labels" });
  return labels;
}
