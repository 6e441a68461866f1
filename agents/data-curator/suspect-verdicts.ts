import type { SuspectVerdicts } from "./schema.ts";

/** The hard rules of the LLM curator's verdicts: only the suspects it was shown, each once, only to
 * the task's labels, focus pairs of two of the task's labels; null when they keep them, else why not. */
export function suspectVerdictViolation(verdicts: SuspectVerdicts, shown: ReadonlySet<string>, labels: ReadonlySet<string>): string | null {
  const seen = new Set<string>();
  for (const v of verdicts.suspects) {
    if (!shown.has(v.id)) return `"${v.id}" is not one of the suspects shown; only those may be changed`;
    if (seen.has(v.id)) return `"${v.id}" is judged twice`;
    seen.add(v.id);
    if (v.action === "relabel" && (v.label === undefined || !labels.has(v.label))) return `"${v.id}": relabel needs one of the task's labels, got ${JSON.stringify(v.label ?? null)}`;
  }
  for (const pair of verdicts.focus_pairs) {
    if (!labels.has(pair.gold) || !labels.has(pair.predicted) || pair.gold === pair.predicted) return `focus pair ${pair.gold} -> ${pair.predicted} needs two different labels of the task`;
  }
  return null;
}
