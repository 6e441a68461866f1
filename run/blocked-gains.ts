import type { Decision } from "./types.ts";
import type { Candidate } from "./types.ts";

/** A candidate that gained on the dev set (the production dev set on a production log) and was
 * rejected for its regressions only: what accepting its flips would have bought. */
export interface BlockedGain {
  candidate: string;
  round: number;
  /** The dev metric of the model it was gated against, and its own. */
  before: number;
  after: number;
  gain: number;
  flips: number;
  flip_ids: string[];
  /** Why the gate said no (flips over budget, a class drop, a significant regression). */
  reasons: string[];
}

/** The dev metric of the parent each candidate was gated against, from the evaluator's decisions. */
function parentMetricOf(decisions: readonly Decision[], candidateId: string): number | null {
  const d = decisions.find((x) => x.agent === "evaluator" && x.decision.candidate === candidateId);
  const before = d?.decision.task_before;
  return typeof before === "number" ? before : null;
}

/** The run's candidates the regression budget kept out although they gained, best gain first. The
 * budget does not loosen: this is what a person deciding whether to accept k flips is shown. */
export function blockedGains(candidates: readonly Candidate[], decisions: readonly Decision[]): BlockedGain[] {
  const out: BlockedGain[] = [];
  for (const c of candidates) {
    if (!c.verdict || c.verdict.pass || c.promoted_id || !c.scores || c.verdict.failed.includes("no_gain")) continue;
    const before = parentMetricOf(decisions, c.id);
    if (before === null || c.scores.task <= before) continue;
    out.push({
      candidate: c.id,
      round: c.round,
      before,
      after: c.scores.task,
      gain: c.scores.task - before,
      flips: c.verdict.flips.total,
      flip_ids: Object.values(c.verdict.flips.per_set).flat(),
      reasons: c.verdict.reasons,
    });
  }
  return out.sort((a, b) => b.gain - a.gain || a.flips - b.flips);
}

/** One line per blocked gain, for the markdown report and the chat. */
export function blockedGainLine(b: BlockedGain, metricName: string, epsilon: number): string {
  const pts = (x: number) => (x * 100).toFixed(2);
  return `${b.candidate}: ${metricName} ${pts(b.before)} -> ${pts(b.after)} (+${pts(b.gain)} points) at ${b.flips} flip${b.flips === 1 ? "" : "s"} (budget ${epsilon}): accepting ${b.flips} flip${b.flips === 1 ? "" : "s"} would buy +${pts(b.gain)} points; the gate said: ${b.reasons.join("; ")}`;
}
