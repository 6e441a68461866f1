import type { ClassificationMetrics, PerClassMetrics } from "./classification-metrics.ts";
import { compareStrings } from "./compare-strings.ts";
import type { EntityMetrics } from "./entity-metrics.ts";
import { fixed, percent, signed } from "./format-number.ts";
import { formatTable } from "./format-table.ts";
import type { GateVerdict } from "./regression-gate.ts";

export interface ReportOptions {
  /** Most per-class (per-type) rows to show, worst F1 first (default 20). */
  maxRows?: number;
}

const DEFAULT_MAX_ROWS = 20;

/**
 * Compact text report of classification metrics: an overall line, per-class rows sorted by F1
 * ascending (worst first, ties by label) and capped at `maxRows`, the top confused pairs, unseen
 * labels and the out-of-scope block when present.
 */
export function formatClassificationReport(metrics: ClassificationMetrics, options: ReportOptions = {}): string {
  const lines = [
    `n=${metrics.n}  accuracy=${fixed(metrics.accuracy)}  macro_f1=${fixed(metrics.macro_f1)}  weighted_f1=${fixed(metrics.weighted_f1)}`,
    ...perClassTable("class", metrics.per_class, options),
  ];
  if (metrics.confused_pairs.length > 0) {
    lines.push("top confused pairs (gold -> predicted: count):");
    for (const p of metrics.confused_pairs) lines.push(`  ${p.gold} -> ${p.predicted}: ${p.count}`);
  }
  if (metrics.unseen_labels.length > 0) {
    lines.push(`unseen labels (not in the model's label set): ${metrics.unseen_labels.join(", ")}`);
  }
  if (metrics.oos) {
    const o = metrics.oos;
    lines.push(
      `out of scope ${JSON.stringify(o.label)}: recall=${fixed(o.recall)}  precision=${fixed(o.precision)}  support=${o.support}  in_scope_accuracy=${fixed(o.in_scope_accuracy)}`,
    );
  }
  return lines.join("\n");
}

/**
 * Compact text report of entity metrics: an overall micro line with counts, then per-type rows
 * sorted by F1 ascending and capped at `maxRows`.
 */
export function formatEntityReport(metrics: EntityMetrics, options: ReportOptions = {}): string {
  return [
    `entities: precision=${fixed(metrics.precision)}  recall=${fixed(metrics.recall)}  f1=${fixed(metrics.f1)}  (gold=${metrics.n_gold} predicted=${metrics.n_pred} correct=${metrics.n_correct})`,
    ...perClassTable("type", metrics.per_type, options),
  ].join("\n");
}

/** Text verdict of the regression gate: PASS/FAIL, the reasons, flips, accuracy change and per-set accuracies. */
export function formatGateVerdict(verdict: GateVerdict): string {
  const ci = verdict.delta_ci;
  const flipsBySet = Object.entries(verdict.flips.per_set)
    .map(([set, ids]) => `${set}: ${ids.length}`)
    .join(", ");
  const setRows = Object.entries(verdict.per_set).map(([set, s]) => [
    set,
    String(s.n),
    fixed(s.parent_accuracy),
    fixed(s.candidate_accuracy),
    signed(s.candidate_accuracy - s.parent_accuracy),
  ]);
  return [
    `regression gate: ${verdict.pass ? "PASS" : "FAIL"}`,
    ...verdict.reasons.map((r) => `  - ${r}`),
    `flips (right before, wrong now): ${verdict.flips.total} (${flipsBySet}); budget epsilon=${verdict.thresholds.epsilon}`,
    `accuracy change: ${signed(ci.delta)}, ${percent(ci.confidence)} CI [${signed(ci.low)}, ${signed(ci.high)}] over ${ci.samples} resamples`,
    ...formatTable(["set", "n", "parent", "candidate", "change"], setRows),
  ].join("\n");
}

function perClassTable(name: string, perClass: Record<string, PerClassMetrics>, options: ReportOptions): string[] {
  const maxRows = options.maxRows ?? DEFAULT_MAX_ROWS;
  if (!Number.isInteger(maxRows) || maxRows < 0) throw new Error(`report: maxRows must be a non-negative integer, got ${maxRows}`);
  const sorted = Object.entries(perClass).sort(([a, x], [b, y]) => x.f1 - y.f1 || compareStrings(a, b));
  const rows = sorted
    .slice(0, maxRows)
    .map(([label, m]) => [label, fixed(m.precision), fixed(m.recall), fixed(m.f1), String(m.support)]);
  const lines = formatTable([name, "precision", "recall", "f1", "support"], rows);
  const hidden = sorted.length - rows.length;
  if (hidden > 0) lines.push(`… ${hidden} more ${hidden === 1 ? "row" : "rows"} not shown (best F1)`);
  return lines;
}
