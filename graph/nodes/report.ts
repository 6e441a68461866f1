import { join } from "node:path";
import { writeFileAtomic, writeJsonAtomic } from "../../lib/atomic-write.ts";
import type { MaintainStateType, MaintainUpdate, ModelScores } from "../state.ts";

function scoreLine(s: ModelScores | undefined): string {
  if (!s) return "-";
  const earlier = s.earlier_runs ? ` | earlier runs' gold ${(s.earlier_runs.accuracy * 100).toFixed(2)}% of ${s.earlier_runs.n}` : "";
  return `task ${(s.task * 100).toFixed(2)} | failures fixed ${s.failures.fixed}/${s.failures.n} | regression ${(s.regression.accuracy * 100).toFixed(2)}%${earlier}`;
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
      train_wall_s: c.train_metrics.wall_s ?? null,
    })),
    data_changes: data?.lineage ?? null,
    diagnosis: state.diagnosis ? { counts: state.diagnosis.counts, clusters: state.diagnosis.clusters.slice(0, 10), summary: state.diagnosis.summary } : null,
    stop_reason: state.stop_reason,
    wall_s: state.started_at ? Math.round((now.getTime() - new Date(state.started_at).getTime()) / 1000) : null,
  };
  const md = [
    `# Maintenance report ${state.run_id}`,
    "",
    `**Verdict:** ${summary.promoted ? `promoted ${summary.promoted} (parent ${summary.parent})` : `kept ${summary.parent}; nothing promoted`}. Stopped: ${summary.stop_reason ?? "-"}.`,
    "",
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
        `| ${r.round} | ${r.strategy} | ${r.init_from} | ${r.epochs} | ${r.learning_rate} | ${r.task === null ? "-" : (r.task * 100).toFixed(2)} | ${r.flips ?? "-"} | ${r.promoted ? `promoted ${r.promoted}` : r.pass === false ? `rejected: ${r.reasons.join("; ")}` : "-"} |`,
    ),
    "",
    "## What changed in the data and why",
    ...(data ? data.lineage.why.map((w) => `- ${w}`) : ["- no data version was built"]),
    "",
    `Flips (right before, wrong now) of the ${promoted ? "promoted" : "last"} candidate: ${summary.flips}${summary.flip_ids.length ? ` (${summary.flip_ids.slice(0, 20).join(", ")})` : ""}.`,
  ].join("\n");
  return { summary, md };
}

export async function reportNode(state: MaintainStateType): Promise<MaintainUpdate> {
  const { summary, md } = buildReport(state);
  const markdownPath = join(state.input.run_dir, "report.md");
  const jsonPath = join(state.input.run_dir, "report.json");
  await writeFileAtomic(markdownPath, `${md}\n`);
  await writeJsonAtomic(jsonPath, summary);
  return { final_report: { markdown_path: markdownPath, json_path: jsonPath, summary } };
}
