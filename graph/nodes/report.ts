import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { failpoint } from "../../lib/failpoint.ts";
import { reviewLine } from "../../run/approval.ts";
import { blockedGainLine, blockedGains } from "../../run/blocked-gains.ts";
import { type OosFallbackChoice, oosFallbackText } from "../../run/oos-fallback.ts";
import { DecisionMode, totalUsage } from "../../llm/usage.ts";
import type { Decision, ModelScores } from "../../run/types.ts";
import { ensureConfiguration } from "../configuration.ts";
import { buildReportHtml } from "./report-html.ts";
import type { MaintainStateType, MaintainUpdate } from "../state.ts";

function scoreLine(s: ModelScores | undefined): string {
  if (!s) return "-";
  const earlier = s.earlier_runs ? ` | earlier runs' gold ${(s.earlier_runs.accuracy * 100).toFixed(2)}% of ${s.earlier_runs.n}` : "";
  const guard = s.guard ? ` | training-split guard ${(s.guard.accuracy * 100).toFixed(2)}% of ${s.guard.n}` : "";
  return `task ${(s.task * 100).toFixed(2)} | failures fixed ${s.failures.fixed}/${s.failures.n} | regression ${(s.regression.accuracy * 100).toFixed(2)}%${earlier}${guard}`;
}

/** A run on a production log (maintain --log): production accuracy on its held-out dev set before
 * and after, the headline, with the training-split guard beside it. */
function productionOf(state: MaintainStateType, after: ModelScores | null) {
  const intake = state.decisions.find((d) => d.agent === "intake")?.decision as { production_log?: { entries: number; accuracy: number; dev: number } } | undefined;
  const log = intake?.production_log;
  if (!log || !state.baseline) return null;
  const before = state.baseline.scores;
  return {
    log_entries: log.entries,
    log_accuracy: log.accuracy,
    dev: log.dev,
    before: before.task,
    after: after?.task ?? before.task,
    guard_before: before.guard?.accuracy ?? null,
    guard_after: after?.guard?.accuracy ?? before.guard?.accuracy ?? null,
  };
}

const pct2 = (x: number | null) => (x === null ? "-" : `${(x * 100).toFixed(2)}%`);

/** How many agent decisions each path made (steps with no choice, like intake, carry no mode). */
export function decisionsByMode(decisions: readonly Decision[]): Record<DecisionMode, number> {
  const counts = Object.fromEntries(DecisionMode.options.map((m) => [m, 0])) as Record<DecisionMode, number>;
  for (const d of decisions) if (d.mode) counts[d.mode]++;
  return counts;
}

/** Who decided each step, what the LLM cost, and every decision the LLM made or was refused. */
function llmLines(state: MaintainStateType): string[] {
  const usage = totalUsage(state.llm_usage);
  const lines = [
    `Mode: ${state.input.llm ?? "off"}. Decisions by path: ${Object.entries(decisionsByMode(state.decisions)).map(([m, n]) => `${m} ${n}`).join(", ")}.`,
    `LLM usage: ${usage.calls} calls, ${usage.tokens_in} tokens in, ${usage.tokens_out} out, ${(usage.wall_ms / 1000).toFixed(1)} s${Object.keys(state.llm_usage).length ? ` (${Object.entries(state.llm_usage).map(([agent, u]) => `${agent}: ${u.calls} calls, ${u.tokens_in + u.tokens_out} tokens, ${(u.wall_ms / 1000).toFixed(1)} s`).join("; ")})` : ""}.`,
  ];
  const notable = state.decisions.filter((d) => (d.mode !== undefined && d.mode !== "policy") || Boolean(d.note));
  if (notable.length > 0) {
    lines.push("", "| round | agent | path | retries | note |", "|---|---|---|---|---|");
    for (const d of notable) lines.push(`| ${d.round} | ${d.agent} | ${d.mode} | ${d.retries ?? 0} | ${(d.note ?? "").replace(/\|/g, "/")} |`);
  }
  return lines;
}

/** The run's outcome as JSON (machine-readable, the CLI's --json contract) and markdown. */
export function buildReport(state: MaintainStateType, now = new Date()) {
  const promoted = [...state.candidates].reverse().find((c) => c.promoted_id);
  const last = state.candidates.at(-1);
  const shown = promoted ?? last;
  const data = shown ? state.data_versions.find((d) => d.hash === shown.data_hash) : undefined;
  const summary = {
    run_id: state.run_id,
    promoted: promoted?.promoted_id ?? null,
    parent: state.baseline?.id ?? null,
    before: state.baseline?.scores ?? null,
    after: promoted?.scores ?? state.baseline?.scores ?? null,
    metric: state.task?.metric ?? null,
    flips: shown?.verdict?.flips.total ?? 0,
    flip_ids: shown?.verdict ? Object.values(shown.verdict.flips.per_set).flat() : [],
    rounds: state.candidates.map((c) => ({
      round: c.round,
      strategy: c.strategy,
      init_from: c.hyperparameters.init_from,
      epochs: c.hyperparameters.epochs,
      learning_rate: c.hyperparameters.learning_rate,
      task: c.scores?.task ?? null,
      flips: c.verdict?.flips.total ?? null,
      pass: c.verdict?.pass ?? null,
      promoted: c.promoted_id ?? null,
      reasons: c.verdict?.reasons ?? [],
      review: c.review ?? null,
      train_wall_s: c.train_metrics.wall_s ?? null,
      oos_fallback: (state.decisions.find((d) => d.agent === "trainer" && d.round === c.round)?.decision.oos_threshold as OosFallbackChoice | undefined) ?? null,
    })),
    production: productionOf(state, promoted?.scores ?? null),
    blocked_gains: blockedGains(state.candidates, state.decisions),
    epsilon: state.input.epsilon,
    data_changes: data?.lineage ?? null,
    diagnosis: state.diagnosis ? { counts: state.diagnosis.counts, clusters: state.diagnosis.clusters.slice(0, 10), summary: state.diagnosis.summary } : null,
    stop_reason: state.stop_reason,
    llm_mode: state.input.llm ?? "off",
    decisions_by_mode: decisionsByMode(state.decisions),
    llm_usage: { ...totalUsage(state.llm_usage), by_agent: state.llm_usage },
    wall_s: state.started_at ? Math.round((now.getTime() - new Date(state.started_at).getTime()) / 1000) : null,
  };
  const verdict = `${summary.promoted ? `promoted ${summary.promoted} (parent ${summary.parent})` : `kept ${summary.parent}; nothing promoted`}. Stopped: ${summary.stop_reason ?? "-"}.`;
  const md = [
    `# Maintenance report ${state.run_id}`,
    "",
    `**Verdict:** ${verdict}`,
    "",
    ...(summary.production
      ? [
          `**Production accuracy** (${summary.production.dev} queries held out of the ${summary.production.log_entries}-query log): ${pct2(summary.production.before)} -> ${pct2(summary.production.after)}; the deployed model's on the whole log: ${pct2(summary.production.log_accuracy)}. Training-split guard: ${pct2(summary.production.guard_before)} -> ${pct2(summary.production.guard_after)}.`,
          "",
        ]
      : []),
    ...(summary.blocked_gains.length
      ? [
          "**What the flip budget blocked** (the budget stays; a person may decide otherwise):",
          ...summary.blocked_gains.map((b) => `- ${blockedGainLine(b, summary.production ? "production accuracy" : `${summary.metric ?? "task"} on dev`, summary.epsilon)}`),
          "",
        ]
      : []),
    `| model | ${summary.metric ?? "task"} (dev) and sets |`,
    "|---|---|",
    `| before (${summary.parent}) | ${scoreLine(state.baseline?.scores)} |`,
    `| after (${summary.promoted ?? "unchanged"}) | ${scoreLine(summary.after ?? undefined)} |`,
    "",
    "## Diagnosis",
    state.diagnosis?.summary ?? "-",
    "",
    "## Rounds",
    "| round | strategy | start | epochs | lr | task | flips | verdict |",
    "|---|---|---|---|---|---|---|---|",
    ...summary.rounds.map(
      (r) =>
        `| ${r.round} | ${r.strategy} | ${r.init_from} | ${r.epochs} | ${r.learning_rate} | ${r.task === null ? "-" : (r.task * 100).toFixed(2)} | ${r.flips ?? "-"} | ${r.promoted ? `promoted ${r.promoted}${r.review ? ` (${reviewLine("", r.review).trim()})` : ""}` : r.review && !r.review.approved ? `passed the gate; ${reviewLine("", r.review).trim()}` : r.pass === false ? `rejected: ${r.reasons.join("; ")}` : "-"} |`,
    ),
    ...summary.rounds.flatMap((r) => (r.oos_fallback ? [`Round ${r.round}'s out-of-scope fallback: ${oosFallbackText(r.oos_fallback, state.task?.oos_label ?? "")}.`] : [])),
    "",
    "## Who decided",
    ...llmLines(state),
    "",
    "## What changed in the data and why",
    ...(data ? data.lineage.why.map((w) => `- ${w}`) : ["- no data version was built"]),
    "",
    `Flips (right before, wrong now) of the ${promoted ? "promoted" : "last"} candidate: ${summary.flips}${summary.flip_ids.length ? ` (${summary.flip_ids.slice(0, 20).join(", ")})` : ""}.`,
  ].join("\n");
  return { summary, md, verdict };
}

export async function reportNode(state: MaintainStateType, config?: LangGraphRunnableConfig): Promise<MaintainUpdate> {
  if (!state.task) throw new Error("report needs intake to have run first");
  const { summary, md, verdict } = buildReport(state);
  const { resources } = await ensureConfiguration(config, state.input);
  const run = resources.runFolder(state.input.run_dir, state.task.kind);
  const production = summary.production ? ` Production accuracy on ${summary.production.dev} held-out log queries: ${pct2(summary.production.before)} -> ${pct2(summary.production.after)} (training-split guard ${pct2(summary.production.guard_before)} -> ${pct2(summary.production.guard_after)}).` : "";
  const best = summary.blocked_gains[0];
  const blocked = best && !summary.promoted ? ` The flip budget blocked ${best.candidate}: accepting its ${best.flips} flips would buy +${(best.gain * 100).toFixed(2)} points.` : "";
  const html_path = await run.writeHtmlReport(await buildReportHtml(state, run, `Verdict: ${verdict}${production}${blocked}`, summary.wall_s));
  await run.writeDecisionLog({
    decisions: state.decisions,
    current: state.parent ? { id: state.parent.id, predictions_dir: state.parent.predictions_dir } : null,
    files: state.files,
    task_kind: state.task.kind,
    stop_reason: state.stop_reason,
  });
  const paths = { ...(await run.writeReport(md, summary)), html_path };
  failpoint("report");
  return { final_report: { ...paths, summary } };
}
