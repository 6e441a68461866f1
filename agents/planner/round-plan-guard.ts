import type { Candidate } from "../../run/types.ts";
import type { RoundPlan } from "./schema.ts";

/** Learning rates outside this range are not a plan for these students but a mistake. */
const LEARNING_RATE_RANGE = [1e-6, 1e-2] as const;
/** Epochs a round may train when the run sets no cap. */
const MAX_EPOCHS = 20;

/** The hard rules a round plan must keep, whoever made it; null when it keeps them, else why not. */
export function roundPlanViolation(plan: RoundPlan, context: { history: readonly Candidate[]; maxEpochs?: number | undefined; knownExperiments: ReadonlySet<string> }): string | null {
  const { training, curation } = plan;
  const last = context.history.at(-1);
  if (training.init_from === "candidate" && !last) return "init_from candidate repairs the last candidate, and this run has none yet";
  const maxEpochs = context.maxEpochs ?? MAX_EPOCHS;
  if (training.epochs > maxEpochs) return `epochs ${training.epochs} exceed the run's cap of ${maxEpochs}`;
  if (training.learning_rate < LEARNING_RATE_RANGE[0] || training.learning_rate > LEARNING_RATE_RANGE[1]) {
    return `learning rate ${training.learning_rate} is outside ${LEARNING_RATE_RANGE[0]}..${LEARNING_RATE_RANGE[1]}`;
  }
  const flipped = new Set(context.history.flatMap((c) => Object.values(c.verdict?.flips.per_set ?? {}).flat()));
  const unknown = curation.emphasize_ids.filter((id) => !flipped.has(id));
  if (unknown.length > 0) return `emphasize_ids must be regression examples a candidate of this run flipped; not: ${unknown.slice(0, 5).join(", ")}`;
  if (plan.from_memory !== null && !context.knownExperiments.has(plan.from_memory)) return `from_memory names "${plan.from_memory}", which is not a past experiment of memory`;
  return null;
}
