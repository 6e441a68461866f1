import type { Example } from "../../data/index.ts";
import { classificationMetrics } from "../../evals/classification-metrics.ts";
import { countBars, groupedBars, linesByRound, renderSvg } from "../../evals/plots.ts";
import { escapeHtml, figure, type HtmlSection, htmlPage, htmlTable } from "../../evals/report-html.ts";
import { predictedLabel } from "../../evals/types.ts";
import { reviewLine } from "../../run/approval.ts";
import type { RunFolder } from "../../run/run-folder.ts";
import { goldOf } from "../../run/score-model.ts";
import type { Candidate } from "../../run/types.ts";
import { totalUsage } from "../../llm/usage.ts";
import { inputText } from "../../memory/embedder.ts";
import type { MaintainStateType } from "../state.ts";

const pct = (x: number | null | undefined) => (x === null || x === undefined ? null : (x * 100).toFixed(2));
const FLIPS_SHOWN = 50;
const CLASSES_SHOWN = 40;

function verdictOf(c: Candidate): string {
  if (c.promoted_id) return `promoted ${c.promoted_id}`;
  if (c.review && !c.review.approved) return `passed the gate; ${reviewLine("", c.review).trim()}`;
  if (c.verdict && !c.verdict.pass) return `rejected: ${c.verdict.reasons.join("; ")}`;
  return c.verdict ? "passed, not promoted" : "not scored";
}

async function roundsSection(state: MaintainStateType, metric: string): Promise<HtmlSection> {
  const scored = state.candidates.filter((c) => c.scores);
  const evaluations = state.decisions.filter((d) => d.agent === "evaluator");
  const points = evaluations.flatMap((d) => [
    { round: `round ${d.round}`, model: "parent", [metric]: Number(d.decision.task_before) },
    { round: `round ${d.round}`, model: "candidate", [metric]: Number(d.decision.task_after) },
  ]);
  const plot = points.length ? figure("metric-per-round", await renderSvg(linesByRound({ values: points, x: "round", y: metric, series: "model", title: `${metric} on dev per round` }))) : `<p class="muted">No candidate was scored.</p>`;
  const table = htmlTable(
    ["round", "strategy", "start", "epochs", "lr", metric, "failures fixed", "regression", "flips", "verdict"],
    state.candidates.map((c) => [c.round, c.strategy, String(c.hyperparameters.init_from ?? "-"), String(c.hyperparameters.epochs ?? "-"), String(c.hyperparameters.learning_rate ?? "-"), pct(c.scores?.task), c.scores ? `${c.scores.failures.fixed}/${c.scores.failures.n}` : null, pct(c.scores?.regression.accuracy), c.verdict?.flips.total, verdictOf(c)]),
  );
  return { title: `Rounds (${scored.length} scored)`, html: plot + table };
}

/** Per-class recall before (the deployed model) and after (the shown candidate) on dev, and the
 * pairs the candidate confuses most. Classification only. */
async function perClassSections(state: MaintainStateType, run: RunFolder, shown: Candidate | undefined): Promise<HtmlSection[]> {
  if (!state.task || !state.files || !state.baseline) return [];
  if (state.task.kind !== "classification") return [{ title: "Per class", html: `<p class="muted">The per-class view covers classification runs; entity F1 per set is in the rounds table.</p>` }];
  const dev = await run.examples(state.files.dev);
  const metricsOf = async (predictionsDir: string) => {
    const preds = await run.predictions(predictionsDir, "dev");
    return classificationMetrics(dev.map(goldOf), dev.map((e) => { const p = preds.get(e.id); return p ? predictedLabel(p) : ""; }), { modelLabels: state.task!.labels });
  };
  const before = await metricsOf(state.baseline.predictions_dir);
  const after = shown?.scores ? await metricsOf(run.predictionsDir(shown.id)) : null;
  const classes = Object.keys(before.per_class).filter((c) => (before.per_class[c]?.support ?? 0) > 0).sort();
  const rows = classes.map((c) => ({ c, before: before.per_class[c]?.recall ?? 0, after: after?.per_class[c]?.recall ?? null, support: before.per_class[c]?.support ?? 0 }));
  const worst = [...rows].sort((a, b) => (a.after ?? a.before) - (b.after ?? b.before)).slice(0, CLASSES_SHOWN);
  const values = worst.flatMap((r) => [{ class: r.c, model: "before", recall: r.before }, ...(r.after === null ? [] : [{ class: r.c, model: `after (${shown?.id})`, recall: r.after }])]);
  const perClass: HtmlSection = {
    title: "Per class, before and after (dev recall)",
    html: figure("per-class", await renderSvg(groupedBars({ values, x: "class", y: "recall", group: "model", title: "recall per class on dev" }))) + htmlTable(["class", "support", "recall before", "recall after", "change"], worst.map((r) => [r.c, r.support, pct(r.before), pct(r.after), r.after === null ? null : ((r.after - r.before) * 100).toFixed(1)])),
  };
  const pairs = (after ?? before).confused_pairs;
  const confused: HtmlSection = {
    title: `Most confused pairs (dev, ${after ? `after: ${shown?.id}` : "the deployed model"})`,
    html: pairs.length
      ? figure("confused-pairs", await renderSvg(countBars({ values: pairs.map((p) => ({ pair: `${p.gold} -> ${p.predicted}`, count: p.count })), label: "pair", count: "count", title: "gold -> predicted" })))
      : `<p class="muted">No confusions on dev.</p>`,
  };
  return [perClass, confused];
}

/** The flips of the shown candidate's verdict, each with its example (right before by definition). */
async function flipsSection(state: MaintainStateType, run: RunFolder, shown: Candidate | undefined): Promise<HtmlSection> {
  const verdict = shown?.verdict;
  if (!shown || !verdict || !state.files) return { title: "Flips", html: `<p class="muted">No verdict.</p>` };
  const files = state.files;
  const sets: Record<string, string | undefined> = { regression: files.regression, earlier_stages: files.failures, earlier_runs: files.earlier_runs };
  const scoredSet = { regression: "regression", earlier_stages: "failures", earlier_runs: "earlier-runs" } as const;
  const rows: (string | number)[][] = [];
  for (const [set, ids] of Object.entries(verdict.flips.per_set)) {
    const path = sets[set];
    if (!path) continue;
    const gold = new Map((await run.examples(path)).map((e): [string, Example] => [e.id, e]));
    const preds = await run.predictions(run.predictionsDir(shown.id), scoredSet[set as keyof typeof scoredSet] ?? "regression");
    for (const id of ids.slice(0, FLIPS_SHOWN - rows.length)) {
      const e = gold.get(id);
      const p = preds.get(id);
      rows.push([set, id, e ? inputText(e) : "", e ? goldOf(e) : "", p ? predictedLabel(p) : ""]);
    }
  }
  const shownNote = verdict.flips.total > rows.length ? `<p class="muted">${rows.length} of ${verdict.flips.total} shown.</p>` : "";
  return {
    title: `Flips of ${shown.id} (right before, wrong now): ${verdict.flips.total}, budget ${verdict.thresholds.epsilon}`,
    html: rows.length ? htmlTable(["set", "id", "text", "gold (and the parent's answer)", "candidate"], rows) + shownNote : `<p class="muted">None.</p>`,
  };
}

function dataSection(state: MaintainStateType): HtmlSection {
  return {
    title: "Data changes per version",
    html: state.data_versions.length
      ? htmlTable(
          ["version", "round", "parent version", "added", "removed", "relabeled", "replayed", "why"],
          state.data_versions.map((d) => [d.hash.slice(0, 16), d.round, d.parent_hash?.slice(0, 16) ?? "-", d.lineage.added, d.lineage.removed, d.lineage.relabeled, d.lineage.replayed, d.lineage.why.join("; ")]),
        )
      : `<p class="muted">No data version was built.</p>`,
  };
}

function costSection(state: MaintainStateType, wallS: number | null): HtmlSection {
  const usage = totalUsage(state.llm_usage);
  return {
    title: "Cost",
    html:
      htmlTable(["round", "training wall (s)"], state.candidates.map((c) => [c.round, typeof c.train_metrics.wall_s === "number" ? c.train_metrics.wall_s.toFixed(1) : null])) +
      `<p>Run wall time: ${wallS ?? "-"} s. LLM: ${usage.calls} calls, ${usage.tokens_in} tokens in, ${usage.tokens_out} out (mode ${escapeHtml(state.input.llm ?? "off")}).</p>`,
  };
}

/** The run's report as a self-contained HTML page with plots (Vega-Lite rendered to inline SVG). */
export async function buildReportHtml(state: MaintainStateType, run: RunFolder, verdictLine: string, wallS: number | null): Promise<string> {
  const metric = state.task?.metric ?? "task";
  const promoted = [...state.candidates].reverse().find((c) => c.promoted_id);
  const shown = promoted ?? state.candidates.at(-1);
  const sections = [
    await roundsSection(state, metric),
    ...(await perClassSections(state, run, shown)),
    await flipsSection(state, run, shown),
    dataSection(state),
    { title: "Diagnosis", html: `<p>${escapeHtml(state.diagnosis?.summary ?? "-")}</p>` },
    costSection(state, wallS),
  ];
  return htmlPage(`Maintenance report ${state.run_id}`, escapeHtml(verdictLine), sections);
}
