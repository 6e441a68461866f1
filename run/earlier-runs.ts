import { classesOf, type Example } from "../data/index.ts";
import { inputText, type StoredFailure } from "../memory/index.ts";

export interface EarlierRunGold {
  /** Oldest run first; each example's `stage` names the run that accepted it. */
  examples: Example[];
  /** Records left out, by why: the current failures file has the same input (its feedback is the
   * newer one), a later run had the same input, the gold no longer fits the task. */
  skipped: { in_current_failures: number; superseded: number; not_in_label_set: number };
}

function toExample(record: StoredFailure, kind: "classification" | "token"): Example | null {
  const id = `earlier/${record.id}`;
  if (kind === "classification") return { id, text: record.input, label: record.gold, stage: record.run_id };
  const tokens = record.input.split(" ");
  const tags = record.gold.split(" ");
  return tokens.length === tags.length ? { id, tokens, tags, stage: record.run_id } : null;
}

/**
 * What earlier maintenance runs taught the deployed model's lineage: the failures those runs
 * accepted as gold (records from memory, oldest first). The gate holds a candidate to them like to
 * the regression set, and the curator keeps them in the training data, so a fix of an earlier run
 * is not unlearnt by a later one.
 */
export function earlierRunGold(
  records: readonly StoredFailure[],
  options: { kind: "classification" | "token"; known: ReadonlySet<string>; currentInputs: ReadonlySet<string> },
): EarlierRunGold {
  const skipped = { in_current_failures: 0, superseded: 0, not_in_label_set: 0 };
  // The newest feedback on an input wins: walk newest first and keep the first of each input.
  const seen = new Set<string>();
  const kept: Example[] = [];
  for (const record of [...records].reverse()) {
    if (options.currentInputs.has(record.input)) {
      skipped.in_current_failures++;
      continue;
    }
    if (seen.has(record.input)) {
      skipped.superseded++;
      continue;
    }
    const example = toExample(record, options.kind);
    if (!example || classesOf(example).some((c) => !options.known.has(c))) {
      skipped.not_in_label_set++;
      continue;
    }
    seen.add(record.input);
    kept.push(example);
  }
  return { examples: kept.reverse(), skipped };
}

/** The inputs of examples, as memory stores them (tokens joined by spaces). */
export function inputsOf(examples: readonly Example[]): Set<string> {
  return new Set(examples.map((e) => inputText(e)));
}
