import { points, searchLines } from "../cold-start/generation-report.ts";
import { pct } from "../cold-start/report.ts";
import { candidatesSection, type ScoredCandidate } from "../evals/candidates-html.ts";
import { escapeHtml, type HtmlSection, htmlPage, htmlTable } from "../evals/report-html.ts";
import type { GenerationMaintenanceResult } from "./generation-maintenance.ts";

/** The report of a generation model's maintenance: before and after, each strategy's evidence
 * (gain on the dev questions, flips on the regression set), the decisions and the choice. */
export function generationMaintenanceReport(task: string, r: GenerationMaintenanceResult): string {
  return [
    `# Maintenance of ${r.parent} (generation): ${r.promoted ? `promoted ${r.promoted} (targets: ${r.strategy})` : "nothing promoted"}`,
    "",
    `Task: ${task}`,
    "",
    `Data: ${r.data.failures_trained} failures trained on with ${r.data.replayed} replayed training questions (${r.data.rationales} with a rationale); gain measured on ${r.data.dev_from}; gate on ${r.data.regression} regression questions (at most ${r.epsilon} flips).`,
    `Memory: ${r.memory.consulted} similar past experiments consulted; ${r.memory.recorded} experiments recorded.`,
    "",
    "| model | dev exact match | regression accuracy |",
    "|---|---|---|",
    `| ${r.parent} (deployed) | ${pct(r.before.dev_exact_match)} | ${pct(r.before.regression_accuracy)} |`,
    ...(r.after && r.promoted ? [`| ${r.promoted} (promoted) | ${pct(r.after.dev_exact_match)} | ${pct(r.after.regression_accuracy)} |`] : []),
    "",
    "## Target strategies tried",
    "",
    "| targets | model | training examples | rejected | dev exact match | gain (points, 95% paired interval) | regression accuracy | flips | gate | train s | why tried |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
    ...r.candidates.map((c) => `| ${c.strategy} | ${c.id} | ${c.rows} | ${c.rejected} | ${pct(c.dev_exact_match)} | ${points(c.gain.delta)} (${points(c.gain.low)} to ${points(c.gain.high)}) | ${pct(c.regression_accuracy)} | ${c.flips.length}${c.flips.length ? `: ${c.flips.slice(0, 10).join(", ")}` : ""} | ${c.pass ? "pass" : "fail"} | ${c.train_s} | ${c.why.replace(/\|/g, "/")} |`),
    ...r.candidates.filter((c) => !c.pass).map((c) => `\n${c.strategy} rejected: ${c.reasons.join("; ")}.`),
    ...searchLines(r),
    "",
    "## Choice",
    "",
    r.promoted ? `Promoted ${r.promoted} (targets: ${r.strategy}): ${r.choice}.` : `Nothing promoted: ${r.choice}.`,
    "",
    `Wall time: ${r.wall_s} s.`,
    "",
  ].join("\n");
}

/** report.html of the same: the deployed model and every candidate on the dev questions and the
 * regression set, and each candidate's gain interval, flips and gate reasons. */
export async function generationMaintenanceHtml(task: string, r: GenerationMaintenanceResult): Promise<string> {
  const models: ScoredCandidate[] = [
    { name: `${r.parent} (deployed)`, id: r.parent, promoted: false, scores: { dev_exact_match: r.before.dev_exact_match, regression_accuracy: r.before.regression_accuracy } },
    ...r.candidates.map((c) => ({ name: c.strategy, id: c.id, promoted: c.id === r.promoted, scores: { dev_exact_match: c.dev_exact_match, regression_accuracy: c.regression_accuracy } })),
  ];
  const gate: HtmlSection = {
    title: "The gate, per candidate",
    html: htmlTable(
      ["strategy", "version", "dev gain (points)", "95% interval", "regression flips", "passed", "reasons"],
      r.candidates.map((c) => [c.strategy, c.id, (c.gain.delta * 100).toFixed(2), `[${(c.gain.low * 100).toFixed(2)}, ${(c.gain.high * 100).toFixed(2)}]`, c.flips.length, c.pass ? "yes" : "no", c.reasons.join("; ")]),
    ),
  };
  const lead = `${r.promoted ? `Promoted ${escapeHtml(r.promoted)} (targets: ${escapeHtml(r.strategy ?? "")})` : "Nothing promoted"} over ${escapeHtml(r.parent)} for: ${escapeHtml(task)}. ${escapeHtml(r.choice)}`;
  return htmlPage(`Maintenance of ${r.parent} (generation)`, lead, [await candidatesSection(models, `${r.data.dev_from} and ${r.data.regression} regression questions`), gate]);
}
