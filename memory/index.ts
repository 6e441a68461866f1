export { inputText, WorkerEmbedder, type Embedder, type EmbedServer, type WorkerEmbedderOptions } from "./embedder.ts";
export { MemoryStore, type MemoryCounts } from "./memory-store.ts";
export { FailureCause, FailureRecord, StoredFailure, type FailureRecordInput } from "./failure-record.ts";
export { DataDelta, ExperimentRecord, StoredExperiment, Verdict, type ExperimentRecordInput } from "./experiment-record.ts";
export { ExampleRecord, ExampleSource, StoredExample, type ExampleRecordInput } from "./example-record.ts";
export type { WithSimilarity } from "./memory-table.ts";
export type { SimilarFailuresOptions } from "./queries/similar-failures.ts";
export type { RankedExperiment, StrategiesOptions } from "./queries/strategies-for-similar-failures.ts";
export type { NearDuplicate, NearDuplicatesOptions } from "./queries/near-duplicates.ts";
export {
  InvalidMemoryQueryError,
  InvalidMemoryRecordError,
  MemoryDimensionMismatchError,
  MemorySchemaMismatchError,
  VectorDimensionError,
} from "./memory-errors.ts";
