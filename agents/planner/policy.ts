import type { MaintainStateType } from "../../graph/state.ts";
import { nothingNewToLearn, stopReason } from "./stop-conditions.ts";
import type { PlannerDecision } from "./schema.ts";

/**
 * The offline planner: the loop's order is fixed (diagnose once, then per round curate -> train ->
 * evaluate), and the decision that matters is when to stop — checked before every new round by the
 * named stop conditions (target, rounds, minutes, no progress), and once more after a round's data
 * is curated (nothing new to learn in it).
 */
export function route(state: MaintainStateType, now = new Date()): PlannerDecision {
  // A step that found the run cannot go on (the deployed model changed under it) said why.
  if (state.stop_reason) return { next: "report", reason: state.stop_reason, stop_reason: state.stop_reason };
  if (!state.diagnosis) return { next: "diagnostician", reason: "failures not diagnosed yet", stop_reason: null };
  const round = state.round;
  const candidate = state.candidates.find((c) => c.round === round);
  const data = state.data_versions.find((d) => d.round === round);
  if (!data) {
    const stop = stopReason(state, now);
    if (stop) return { next: "report", reason: stop, stop_reason: stop };
    return { next: "data_curator", reason: `round ${round}: build its data version`, stop_reason: null };
  }
  if (!candidate) {
    const stale = nothingNewToLearn(data, state.next_plan?.training.init_from);
    if (stale) return { next: "report", reason: stale, stop_reason: stale };
    return { next: "trainer", reason: `round ${round}: train a candidate on data ${data.hash.slice(0, 12)}`, stop_reason: null };
  }
  if (!candidate.verdict) return { next: "evaluator", reason: `round ${round}: score and gate ${candidate.id}`, stop_reason: null };
  return { next: "report", reason: "unexpected state: evaluated candidate without a round change", stop_reason: "internal" };
}
