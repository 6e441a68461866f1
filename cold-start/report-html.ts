import { candidatesSection } from "../evals/candidates-html.ts";
import { groupedBars, renderSvg } from "../evals/plots.ts";
import { escapeHtml, figure, type HtmlSection, htmlPage, htmlTable } from "../evals/report-html.ts";
import type { TeacherLog } from "./teacher.ts";
import type { LineageRow } from "./verify.ts";

/** report.html of a cold start, beside report.md: the candidates scored side by side, where the
 * training data came from, and the teacher's steps. Self-contained (inline SVG, no scripts). */

const pct = (x: number | undefined) => (x === undefined ? null : (x * 100).toFixed(2));

/** Training examples kept per label and source (a classification cold start's lineage). */
async function dataPerLabelSection(lineage: readonly LineageRow[]): Promise<HtmlSection> {
  const kept = new Map<string, { label: string; source: string; examples: number }>();
  for (const r of lineage.filter((row) => row.kept)) {
    const key = JSON.stringify([r.label, r.source]);
    const cell = kept.get(key) ?? { label: r.label, source: r.source, examples: 0 };
    cell.examples += 1;
    kept.set(key, cell);
  }
  const values = [...kept.values()];
  const dropped = lineage.filter((r) => !r.kept);
  const why = new Map<string, number>();
  for (const r of dropped) why.set(`${r.source}: ${r.why}`, (why.get(`${r.source}: ${r.why}`) ?? 0) + 1);
  return {
    title: "Training data per label",
    html:
      (values.length ? figure("data-per-label", await renderSvg(groupedBars({ values, x: "label", y: "examples", group: "source", title: "examples kept per label and source" }))) : `<p class="muted">No training examples.</p>`) +
      (dropped.length ? `<p>Dropped: ${dropped.length} (every example's source and why: data/lineage.jsonl).</p>${htmlTable(["why", "examples"], [...why].sort((a, b) => b[1] - a[1]).map(([w, n]) => [w, n]))}` : ""),
  };
}

function examplesSection(examples: Record<string, { kept: number; dropped: number }>): HtmlSection {
  return { title: "Training data per source", html: htmlTable(["source", "kept", "dropped"], Object.entries(examples).map(([s, n]) => [s, n.kept, n.dropped])) };
}

function teacherSection(teacher: { usage: TeacherLog["usage"]; calls: TeacherLog["calls"] } | null): HtmlSection[] {
  if (!teacher) return [];
  const u = teacher.usage;
  return [{ title: "Teacher", html: `<p>${u.calls} calls, ${u.tokens_in} tokens in, ${u.tokens_out} out, ${(u.wall_ms / 1000).toFixed(1)} s.</p>${htmlTable(["step", "decided by", "note"], teacher.calls.map((c) => [c.step, c.mode, c.note ?? ""]))}` }];
}

function candidateName(c: { method: string; round: number }): string {
  return `${c.method}${c.round > 1 ? ` (round ${c.round})` : ""}`;
}

export async function classificationColdStartHtml(
  result: { promoted: string; method: string; candidates: { method: string; round: number; id: string; metrics: { accuracy?: number; macro_f1?: number } }[]; evaluation: string; stopped: string | null; teacher: { usage: TeacherLog["usage"]; calls: TeacherLog["calls"] } | null; wall_s: number },
  task: string,
  lineage: readonly LineageRow[],
): Promise<string> {
  const candidates = result.candidates.map((c) => ({ name: candidateName(c), id: c.id, promoted: c.id === result.promoted, scores: { accuracy: c.metrics.accuracy, macro_f1: c.metrics.macro_f1 } }));
  const lead = `Promoted ${escapeHtml(result.promoted)} (${escapeHtml(result.method)}) for: ${escapeHtml(task)}${result.stopped ? `. Rounds stopped: ${escapeHtml(result.stopped)}` : ""}. ${result.wall_s} s.`;
  return htmlPage(`Cold start ${result.promoted}`, lead, [await candidatesSection(candidates, result.evaluation), await dataPerLabelSection(lineage), ...teacherSection(result.teacher)]);
}

export async function tokenColdStartHtml(
  result: { promoted: string; method: string; candidates: { method: string; round: number; id: string; metrics: { f1?: number; precision?: number; recall?: number } }[]; evaluation: string; stopped: string | null; examples: Record<string, { kept: number; dropped: number }>; teacher: { usage: TeacherLog["usage"]; calls: TeacherLog["calls"] } | null; wall_s: number },
  task: string,
): Promise<string> {
  const candidates = result.candidates.map((c) => ({ name: candidateName(c), id: c.id, promoted: c.id === result.promoted, scores: { entity_f1: c.metrics.f1, precision: c.metrics.precision, recall: c.metrics.recall } }));
  const lead = `Promoted ${escapeHtml(result.promoted)} (${escapeHtml(result.method)}) for: ${escapeHtml(task)}${result.stopped ? `. Rounds stopped: ${escapeHtml(result.stopped)}` : ""}. ${result.wall_s} s.`;
  return htmlPage(`Cold start ${result.promoted} (entities)`, lead, [await candidatesSection(candidates, result.evaluation), examplesSection(result.examples), ...teacherSection(result.teacher)]);
}

export async function generationColdStartHtml(
  result: { promoted: string; strategy: string; choice: string; evaluation: string; candidates: { strategy: string; id: string; exact_match: number; exact_match_ci: [number, number]; rows: number; rejected: number; why: string; train_s: number }[]; comparisons: { strategy: string; against: string; delta: number; low: number; high: number }[] },
  task: string,
): Promise<string> {
  const candidates = result.candidates.map((c) => ({ name: c.strategy, id: c.id, promoted: c.id === result.promoted, scores: { exact_match: c.exact_match, ci_low: c.exact_match_ci[0], ci_high: c.exact_match_ci[1] } }));
  const strategies: HtmlSection = {
    title: "Target strategies",
    html:
      htmlTable(["strategy", "version", "training rows", "rejected", "train s", "why tried"], result.candidates.map((c) => [c.strategy, c.id, c.rows, c.rejected, c.train_s.toFixed(0), c.why])) +
      (result.comparisons.length ? htmlTable(["strategy", "against", "exact-match change", "95% interval"], result.comparisons.map((c) => [c.strategy, c.against, pct(c.delta), `[${pct(c.low)}, ${pct(c.high)}]`])) : ""),
  };
  const lead = `Promoted ${escapeHtml(result.promoted)} (${escapeHtml(result.strategy)} targets) for: ${escapeHtml(task)}. ${escapeHtml(result.choice)}`;
  return htmlPage(`Cold start ${result.promoted} (generation)`, lead, [await candidatesSection(candidates, result.evaluation), strategies]);
}
