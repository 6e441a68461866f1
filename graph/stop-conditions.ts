import { repairDue } from "../agents/trainer/policy.ts";
import type { MaintainStateType } from "./state.ts";

/** Small named predicates the planner checks after every evaluated round; each returns the reason
 * to stop, or null. */
export type StopCondition = (state: MaintainStateType, now: Date) => string | null;

export const targetReached: StopCondition = (state) => {
  const target = state.input.target;
  const metric = state.parent?.scores.task;
  return target !== undefined && metric !== undefined && metric >= target ? `target reached: ${metric.toFixed(4)} >= ${target}` : null;
};

export const roundsSpent: StopCondition = (state) =>
  state.round > (state.input.rounds ?? 3) ? `round budget spent (${state.input.rounds ?? 3})` : null;

export const minutesSpent: StopCondition = (state, now) => {
  if (!state.started_at) return null;
  const minutes = (now.getTime() - new Date(state.started_at).getTime()) / 60_000;
  const budget = state.input.minutes ?? 60;
  return minutes >= budget ? `time budget spent (${minutes.toFixed(1)} of ${budget} minutes)` : null;
};

/** Patience runs out after that many rounds without a promotion, unless the last candidate gained
 * and only needs its regressions repaired: a gain the gate could not accept yet is progress. */
export const noProgress: StopCondition = (state) => {
  const patience = state.input.patience ?? 2;
  if (state.rounds_without_promotion < patience) return null;
  if (state.parent && repairDue(state.candidates, state.parent.scores.task)) return null;
  return `no promotion in ${state.rounds_without_promotion} rounds (patience ${patience})`;
};

export const STOP_CONDITIONS: StopCondition[] = [targetReached, roundsSpent, minutesSpent, noProgress];

export function stopReason(state: MaintainStateType, now = new Date()): string | null {
  for (const condition of STOP_CONDITIONS) {
    const reason = condition(state, now);
    if (reason) return reason;
  }
  return null;
}
