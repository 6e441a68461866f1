import { type BlockedGain, blockedGainLine } from "../../run/blocked-gains.ts";
import { reviewLine } from "../../run/approval.ts";
import { type OosFallbackChoice, oosFallbackText } from "../../run/oos-fallback.ts";
import type { RunDetails } from "../../run/run-index.ts";
import type { Decision } from "../../run/types.ts";

const pct = (x: unknown) => (typeof x === "number" ? (x * 100).toFixed(2) : "-");

function roundLines(round: number, decisions: readonly Decision[]): string[] {
  const of = (agent: string) => decisions.filter((d) => d.agent === agent);
  const lines: string[] = [`Round ${round}:`];
  const plan = of("planner").find((d) => d.decision.round_plan !== undefined);
  if (plan) lines.push(`- plan (${plan.mode ?? "policy"}): ${String(plan.decision.round_plan)}: ${String(plan.decision.reason)}`);
  const curated = of("data_curator").at(-1);
  if (curated) {
    const d = curated.decision;
    lines.push(`- data version ${String(d.data_version)}: ${String(d.examples)} examples, +${String(d.added)} -${String(d.removed)} ~${String(d.relabeled)} relabeled${Array.isArray(d.why) ? `; why: ${(d.why as string[]).join("; ")}` : ""}`);
  }
  const trained = of("trainer").at(-1);
  if (trained) {
    const d = trained.decision;
    lines.push(d.trained === false ? `- training not run: ${String(d.reason)}` : `- trained ${String(d.strategy)} from ${String(d.init_from)}, ${String(d.epochs)} epochs, lr ${String(d.learning_rate)}${d.oos_threshold ? `; out-of-scope fallback: ${oosFallbackText(d.oos_threshold as OosFallbackChoice, String(d.oos_label ?? "out of scope"))}` : ""}`);
  }
  const evaluated = of("evaluator").at(-1);
  if (evaluated) {
    const d = evaluated.decision;
    const review = d.review as Parameters<typeof reviewLine>[1] | undefined;
    const verdict = d.promoted ? `promoted as ${String(d.promoted)}${review ? ` (${reviewLine("", review).trim()})` : ""}` : review && !review.approved ? `passed the gate, then ${reviewLine("", review).trim()}` : d.pass ? `passed the gate but was not promoted (${String(d.not_promoted ?? "")})` : "rejected by the gate";
    lines.push(`- candidate ${String(d.candidate)}: task metric ${pct(d.task_before)} -> ${pct(d.task_after)}, ${String(d.flips)} flips; ${verdict}`);
    lines.push(`  gate: ${((d.reasons as string[] | undefined) ?? []).join("; ")}`);
  }
  // A round the planner only decided not to start says nothing of its own (the stop reason does).
  return lines.length > 1 ? lines : [];
}

/** Why a run ended as it did, from its decision log: the diagnosis, each round's plan, data,
 * training and verdict (with who approved or rejected), the stop reason, and the failures still
 * open. Every claim names the id it comes from. */
export function explainRun(r: RunDetails): string {
  const lines = [`Run ${r.id} (${r.kind}, ${r.status}).`];
  const diagnosis = r.decisions.find((d) => d.agent === "diagnostician");
  if (diagnosis) lines.push(`Diagnosis: ${String(diagnosis.decision.summary ?? JSON.stringify(diagnosis.decision.counts))}`);
  const rounds = [...new Set(r.decisions.filter((d) => d.agent !== "intake" && d.agent !== "diagnostician").map((d) => d.round))].sort((a, b) => a - b);
  for (const round of rounds) lines.push(...roundLines(round, r.decisions.filter((d) => d.round === round)));
  if (r.pending) lines.push(`It waits for a person: the ${r.pending.kind} of round ${r.pending.round}. ${r.pending.how_to_answer}.`);
  if (r.stop_reason) lines.push(`Stopped: ${r.stop_reason}.`);
  lines.push(r.promoted ? `Outcome: promoted ${r.promoted} over ${r.parent ?? "-"}.` : `Outcome: nothing promoted; ${r.parent ?? "the parent"} stays.`);
  const blocked = (r.outcome?.blocked_gains ?? []) as BlockedGain[];
  if (blocked.length) {
    const metric = r.outcome?.production ? "production accuracy" : `${String(r.outcome?.metric ?? "task")} on dev`;
    lines.push(`The flip budget blocked (it stays; a person may decide otherwise):`, ...blocked.map((b) => `- ${blockedGainLine(b, metric, Number(r.outcome?.epsilon ?? 0))}`));
  }
  if (r.open_failures) {
    const shown = r.open_failures.slice(0, 10).map((f) => `${f.id} ("${f.text.slice(0, 60)}": gold ${f.gold}, predicted ${f.predicted})`);
    lines.push(`Failures still open: ${r.open_failures.length}${shown.length ? `: ${shown.join("; ")}${r.open_failures.length > shown.length ? "; ..." : ""}` : ""}.`);
  }
  if (r.report_path) lines.push(`Report: ${r.report_path}.`);
  return lines.join("\n");
}
