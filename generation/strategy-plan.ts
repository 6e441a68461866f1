import type { RankedExperiment } from "../memory/index.ts";
import { TARGET_STRATEGIES, type TargetStrategy } from "./targets.ts";

/** One planned training of a generation round: the target strategy and why it comes where it does. */
export interface StrategyTry {
  strategy: TargetStrategy;
  why: string;
  /** The past experiment (memory id) whose win put this strategy first. */
  from_memory?: string;
}

/** How a generation experiment's strategy is written to memory, and read back. */
export const strategyLabel = (s: TargetStrategy) => `targets: ${s}`;
const strategyOf = (label: string): TargetStrategy | null => TARGET_STRATEGIES.find((s) => strategyLabel(s) === label) ?? null;

/** What later generation runs search the memory by: the task, as its own words give it. */
export const generationTaskSummary = (task: string, extractor: string) => `generation task (answers: ${extractor}): ${task.trim()}`;

const DEFAULT_WHY: Record<TargetStrategy, string> = {
  answer: "the cheapest targets (the answer alone), the baseline the others must beat",
  rationale: "worked rationales then the answer (chain-of-thought supervision), where the data has rationales",
  self: "the student's own sampled rationales that reached the gold answer, once a student writes rationales",
};

/**
 * The order in which a generation run tries target strategies (the round plan's strategy field):
 * first those that were promoted on similar past tasks (the LanceDB memory, best first), then the
 * default order answer, rationale, self. `rationale` needs examples with rationales; `self` samples
 * from a student trained on rationales, so it comes after `rationale` and needs it.
 */
export function planTargetStrategies(
  requested: readonly TargetStrategy[],
  data: { rationales: number },
  past: readonly RankedExperiment[],
): { plan: StrategyTry[]; skipped: { strategy: TargetStrategy; why: string }[] } {
  const skipped: { strategy: TargetStrategy; why: string }[] = [];
  const possible = requested.filter((s) => {
    if (s !== "answer" && data.rationales === 0) {
      skipped.push({ strategy: s, why: s === "rationale" ? "no example has a rationale" : "no example has a rationale, so no student writes rationales to sample from" });
      return false;
    }
    return true;
  });
  const plan: StrategyTry[] = [];
  for (const e of past) {
    const s = strategyOf(e.strategy);
    if (e.verdict !== "promoted" || !s || !possible.includes(s) || plan.some((p) => p.strategy === s)) continue;
    if (s === "self" && possible.includes("rationale") && !plan.some((p) => p.strategy === "rationale")) {
      plan.push({ strategy: "rationale", why: `the student that self-rationales are sampled from (self won on a similar task before: ${e.id})` });
    }
    plan.push({ strategy: s, why: `won on a similar task before: ${e.id} (similarity ${e.similarity.toFixed(2)}, +${(e.gain * 100).toFixed(1)} points over its baseline)`, from_memory: e.id });
  }
  for (const s of TARGET_STRATEGIES) {
    if (possible.includes(s) && !plan.some((p) => p.strategy === s)) plan.push({ strategy: s, why: DEFAULT_WHY[s] });
  }
  // Self-rationales are sampled from a rationale student: keep self after rationale.
  const self = plan.findIndex((p) => p.strategy === "self");
  const rationale = plan.findIndex((p) => p.strategy === "rationale");
  if (self >= 0 && rationale > self) {
    const [moved] = plan.splice(self, 1);
    plan.splice(plan.findIndex((p) => p.strategy === "rationale") + 1, 0, moved!);
  }
  if (self >= 0 && rationale < 0) {
    plan.splice(self, 1);
    skipped.push({ strategy: "self", why: "self-rationales are sampled from the rationale student, and rationale is not tried" });
  }
  return { plan, skipped };
}
