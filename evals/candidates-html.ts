import { groupedBars, renderSvg } from "./plots.ts";
import { escapeHtml, figure, type HtmlSection, htmlTable } from "./report-html.ts";

const pct = (x: number | undefined) => (x === undefined ? null : (x * 100).toFixed(2));

export interface ScoredCandidate {
  /** e.g. "student (round 2)". */
  name: string;
  id: string;
  promoted: boolean;
  /** metric name -> score in [0, 1] (undefined: not scored). */
  scores: Record<string, number | undefined>;
}

/** A report page's section on the candidates a run trained: their scores side by side (a grouped
 * bar chart, * marks the promoted one) and a table with their version ids. */
export async function candidatesSection(candidates: readonly ScoredCandidate[], evaluation: string): Promise<HtmlSection> {
  const metrics = [...new Set(candidates.flatMap((c) => Object.keys(c.scores)))];
  const values = candidates.flatMap((c) => metrics.flatMap((m) => (c.scores[m] === undefined ? [] : [{ candidate: `${c.name}${c.promoted ? " *" : ""}`, metric: m, score: c.scores[m]! }])));
  const plot = values.length ? figure("candidates", await renderSvg(groupedBars({ values, x: "candidate", y: "score", group: "metric", title: `candidates on ${evaluation.split(" (")[0]} (* promoted)` }))) : `<p class="muted">No candidate was scored.</p>`;
  const table = htmlTable(["candidate", "version", ...metrics, "promoted"], candidates.map((c) => [c.name, c.id, ...metrics.map((m) => pct(c.scores[m])), c.promoted ? "yes" : ""]));
  return { title: "Candidates", html: `<p>Scored on: ${escapeHtml(evaluation)}.</p>${plot}${table}` };
}

