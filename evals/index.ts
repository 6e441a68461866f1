// Public API of evals/: metrics from predictions, flip analysis and the regression gate.
export * from "./types.ts";
export { alignPredictions, type Aligned } from "./align.ts";
export {
  classificationMetrics,
  ClassificationMetricsSchema,
  ConfusedPairSchema,
  OosMetricsSchema,
  PerClassMetricsSchema,
  type ClassificationMetrics,
  type ClassificationMetricsOptions,
  type ConfusedPair,
  type OosMetrics,
  type PerClassMetrics,
} from "./classification-metrics.ts";
export {
  decodeSpansLenient,
  entityMetrics,
  EntityMetricsSchema,
  EntitySpanSchema,
  entityTypesOf,
  extractEntities,
  type EntityMetrics,
  type EntitySpan,
} from "./entity-metrics.ts";
export { correctness, defaultIsCorrect, type IsCorrect } from "./correctness.ts";
export { flipAnalysis, flipsFromCorrectness, FlipResultSchema, type FlipInput, type FlipResult } from "./flips.ts";
export {
  BootstrapDeltaSchema,
  BootstrapOptionsSchema,
  pairedBootstrapDelta,
  type BootstrapDelta,
  type BootstrapOptions,
} from "./bootstrap.ts";
export { percentile } from "./percentile.ts";
export {
  ClassDropSchema,
  GateOptionsSchema,
  GateVerdictSchema,
  regressionGate,
  type ClassDrop,
  type GateInput,
  type GateOptions,
  type GateSet,
  type GateVerdict,
} from "./regression-gate.ts";
export { formatClassificationReport, formatEntityReport, formatGateVerdict, type ReportOptions } from "./report.ts";
