import type { GateFailure, GateVerdict } from "../../evals/regression-gate.ts";
import type { ModelScores } from "../../run/types.ts";

/** How a verdict's reason line starts when the candidate kept every regression budget but did not
 * improve on held-out data. */
export const NO_GAIN = "no gain on held-out data";

/** The verdict: flips on the regression set within epsilon, no per-class drop beyond delta on the
 * regression or dev set, no significant drop on dev, and a real gain on dev. */
export function combineVerdicts(regression: GateVerdict, dev: GateVerdict, parent: ModelScores, candidate: ModelScores, metric: string): GateVerdict {
  const gain = candidate.task - parent.task;
  // Dev churn is measured by the task metric, not counted as flips.
  const devFailed = dev.failed.filter((f) => f !== "flips");
  // A failing gate's reasons come in the order of its checks, the flips line first.
  const devReasons = devFailed.length === 0 ? [] : dev.failed.includes("flips") ? dev.reasons.slice(1) : dev.reasons;
  const reasons = [...(regression.pass ? [] : regression.reasons), ...devReasons];
  const failed = new Set<GateFailure>([...regression.failed, ...devFailed]);
  if (gain <= 0) {
    failed.add("no_gain");
    reasons.push(`${NO_GAIN}: ${metric} ${parent.task.toFixed(4)} -> ${candidate.task.toFixed(4)}`);
  }
  const pass = failed.size === 0;
  return {
    ...regression,
    pass,
    failed: [...failed],
    reasons: pass ? [`${regression.reasons[0] ?? "within budget"}; ${metric} ${parent.task.toFixed(4)} -> ${candidate.task.toFixed(4)} (+${(gain * 100).toFixed(2)} points)`] : reasons,
    class_drops: [...regression.class_drops, ...dev.class_drops],
  };
}

/** A rejection whose only reason is that the candidate gained nothing (no flips over budget, no
 * class drop, no significant regression). */
export function rejectedOnlyForNoGain(verdict: GateVerdict): boolean {
  return !verdict.pass && verdict.failed.length > 0 && verdict.failed.every((f) => f === "no_gain");
}

/** The smallest class the regression sets' per-class drop check looks at. In a class of fewer than
 * 1/delta examples a single flip is already a drop beyond delta; single flips are the flip budget's
 * business, so the class check looks for systematic drops only (delta 0: every class). */
export function systematicDropSupport(delta: number): number {
  return delta > 0 ? Math.ceil(1 / delta - 1e-9) : 0;
}
