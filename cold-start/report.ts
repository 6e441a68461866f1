import type { ColdStartResult } from "./run-cold-start.ts";
import type { TaskSpec } from "./task-spec.ts";
import type { TeacherLog } from "./teacher.ts";
import type { LineageRow } from "./verify.ts";

export const pct = (x: number | undefined) => (x === undefined ? "-" : `${(x * 100).toFixed(2)}%`);
const cell = (s: string) => s.replace(/\|/g, "/").replace(/\n/g, " ");

/** The cold start's report: where the data came from (kept and dropped, per label), the out-of-scope
 * threshold, the candidates and what the teacher cost. */
export function coldStartReport(result: ColdStartResult, spec: TaskSpec, lineage: readonly LineageRow[], options: { pseudoPerLabel: number }): string {
  const sources = [...new Set(lineage.map((r) => r.source))];
  const tally = (label: string, source: LineageRow["source"]) => {
    const rows = lineage.filter((r) => r.label === label && r.source === source);
    const kept = rows.filter((r) => r.kept).length;
    return `${kept}${rows.length > kept ? ` (${rows.length - kept} dropped)` : ""}`;
  };
  const labels = [...spec.labels.map((l) => l.name), ...(spec.oos_label ? [spec.oos_label] : [])];
  const threshold = result.oos_threshold;
  const lines = [
    `# Cold start ${result.promoted} (${result.method})`,
    "",
    `Task: ${spec.description}`,
    "",
    `Task spec: by the ${spec.source === "llm" ? "LLM teacher" : "offline policy (label names, the description's clauses that name a label, the seeds)"}; the zero-shot model's prototypes average ${spec.labels.reduce((n, l) => n + 1 + l.phrasings.length + (l.edge_cases?.length ?? 0), 0)} texts (definitions, phrasings${spec.source === "llm" ? ", edge cases" : ""}).`,
    `Evaluation: ${result.evaluation}.`,
    ...(threshold ? ["chosen_on" in threshold && threshold.chosen_on
      ? `Out-of-scope: "${spec.oos_label}" below similarity ${threshold.threshold} to every label, chosen on ${threshold.chosen_on}${"n" in threshold ? ` (${threshold.n} examples, ${threshold.oos_examples} out-of-scope; accuracy there ${pct(threshold.accuracy_before)} at the default -> ${pct(threshold.accuracy_after)})` : ""}${threshold.chosen_on === "--eval" ? "; the zero-shot model's --eval score is optimistic by as much as that choice fits those examples" : ""}.`
      : `Out-of-scope: "${spec.oos_label}" below similarity ${threshold.threshold} to every label, untuned: no labeled out-of-scope example was given.`] : []),
    "",
    "## Candidates",
    "",
    "| candidate | version | accuracy | macro-F1 |",
    "|---|---|---|---|",
    ...result.candidates.map((c) => `| ${c.method}${c.round > 1 ? ` (round ${c.round})` : ""}${c.id === result.promoted ? " (promoted)" : ""} | ${c.id} | ${pct(c.metrics.accuracy)} | ${pct(c.metrics.macro_f1)} |`),
    "",
    ...(result.stopped ? [`Rounds stopped: ${result.stopped}.`, ""] : []),
    "## Data",
    "",
    `Kept per source: ${Object.entries(result.examples).map(([s, n]) => `${s} ${n.kept} kept, ${n.dropped} dropped`).join("; ")}.${result.examples.pseudo_labels ? ` Pseudo-labels: the zero-shot model's most confident messages of the traffic, ${options.pseudoPerLabel} a label at most${result.candidates.some((c) => c.round > 1) ? " in the first round; in round r, the student's most confident r times as many, when the zero-shot model agrees" : ""}${result.teacher ? ", kept when the teacher's blind label agrees" : ""}.` : ""} Every example's source and why it was kept or dropped: data/lineage.jsonl.`,
    "",
    `| label | definition |${sources.map((s) => ` ${s} |`).join("")}`,
    `|---|---|${sources.map(() => "---:|").join("")}`,
    ...labels.map((name) => `| ${name} | ${cell(spec.labels.find((l) => l.name === name)?.definition ?? "(out of scope)")} |${sources.map((s) => ` ${tally(name, s)} |`).join("")}`),
    "",
  ];
  if (result.teacher) lines.push(...teacherSection(result.teacher));
  return lines.join("\n");
}

/** The report's section on the LLM teacher: what it cost, and how each of its steps was decided. */
export function teacherSection(teacher: { usage: TeacherLog["usage"]; calls: TeacherLog["calls"] }): string[] {
  const u = teacher.usage;
  return ["## Teacher", "", `${u.calls} calls, ${u.tokens_in} tokens in, ${u.tokens_out} out, ${(u.wall_ms / 1000).toFixed(1)} s.`, "", "| step | decided by | note |", "|---|---|---|",
    ...teacher.calls.map((c) => `| ${cell(c.step)} | ${c.mode} | ${cell(c.note ?? "")} |`), ""];
}
