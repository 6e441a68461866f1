import { mkdir } from "node:fs/promises";
import { resolve } from "node:path";
import { connect, type Connection } from "@lancedb/lancedb";
import type { Embedder } from "./embedder.ts";
import { examplesTable, type ExampleRecord, type ExampleRecordInput, type StoredExample } from "./example-record.ts";
import { experimentsTable, type ExperimentRecord, type ExperimentRecordInput, type StoredExperiment } from "./experiment-record.ts";
import { failuresTable, type FailureRecord, type FailureRecordInput, type StoredFailure } from "./failure-record.ts";
import { MemoryTable, type WithSimilarity } from "./memory-table.ts";
import { nearDuplicates, type NearDuplicate, type NearDuplicatesOptions } from "./queries/near-duplicates.ts";
import { similarFailures, type SimilarFailuresOptions } from "./queries/similar-failures.ts";
import { strategiesForSimilarFailures, type RankedExperiment, type StrategiesOptions } from "./queries/strategies-for-similar-failures.ts";
import { allOf, equals, notEquals, oneOf } from "./sql-literal.ts";

export interface MemoryCounts {
  failures: number;
  experiments: number;
  examples: number;
}

/** The loop's persistent memory on embedded LanceDB: failures, experiments and examples, each
 * row with the embedding of its text, in a directory that outlives a run. */
export class MemoryStore {
  private constructor(
    /** The database directory (absolute). */
    readonly dir: string,
    private readonly db: Connection,
    private readonly failures: MemoryTable<FailureRecord, StoredFailure>,
    private readonly experiments: MemoryTable<ExperimentRecord, StoredExperiment>,
    private readonly examples: MemoryTable<ExampleRecord, StoredExample>,
  ) {}

  /** Opens the memory in dir, creating the directory and missing tables; existing rows stay.
   * Throws MemoryDimensionMismatchError when the DB was built with another embedding size. */
  static async open(dir: string, embedder: Embedder): Promise<MemoryStore> {
    const root = resolve(dir);
    await mkdir(root, { recursive: true });
    const db = await connect(root);
    const opened: MemoryTable<unknown, unknown>[] = [];
    try {
      const failures = await MemoryTable.open(db, root, failuresTable, embedder);
      opened.push(failures);
      const experiments = await MemoryTable.open(db, root, experimentsTable, embedder);
      opened.push(experiments);
      const examples = await MemoryTable.open(db, root, examplesTable, embedder);
      return new MemoryStore(root, db, failures, experiments, examples);
    } catch (err) {
      for (const table of opened) table.close();
      db.close();
      throw err;
    }
  }

  /** Upserts failures by id (their inputs embedded in one batch); returns the distinct ids written. */
  addFailures(records: readonly FailureRecordInput[]): Promise<number> {
    return this.failures.upsert(records);
  }

  /** Upserts one experiment by id; its vector is the embedding of failure_summary. */
  async addExperiment(record: ExperimentRecordInput): Promise<void> {
    await this.experiments.upsert([record]);
  }

  /** Upserts training examples by id (inputs embedded in one batch); returns the distinct ids written. */
  addExamples(records: readonly ExampleRecordInput[]): Promise<number> {
    return this.examples.upsert(records);
  }

  /** Past failures nearest to a text or vector (cosine, 1 = identical), most similar first. */
  similarFailures(query: string | readonly number[], options: SimilarFailuresOptions = {}): Promise<WithSimilarity<StoredFailure>[]> {
    return similarFailures(this.failures, query, options);
  }

  /** Past experiments on similar failures: promoted first, then by similarity × max(gain, 0). */
  strategiesForSimilarFailures(failureSummary: string, options: StrategiesOptions = {}): Promise<RankedExperiment[]> {
    return strategiesForSimilarFailures(this.experiments, failureSummary, options);
  }

  /** For each input (same order), stored examples at or above the similarity threshold. */
  nearDuplicates(inputs: readonly string[], options: NearDuplicatesOptions = {}): Promise<NearDuplicate[][]> {
    return nearDuplicates(this.examples, inputs, options);
  }

  async counts(): Promise<MemoryCounts> {
    const [failures, experiments, examples] = await Promise.all([this.failures.count(), this.experiments.count(), this.examples.count()]);
    return { failures, experiments, examples };
  }

  /** Every failure of a run, oldest first. */
  async failuresOfRun(runId: string): Promise<StoredFailure[]> {
    return byCreation(await this.failures.rows(equals("run_id", runId)));
  }

  /** Failures accepted as gold (the feedback the diagnostician trusted) that runs other than
   * `excludeRunId` diagnosed on any of these model versions, oldest first. */
  async acceptedFailuresOf(modelVersions: readonly string[], options: { excludeRunId?: string } = {}): Promise<StoredFailure[]> {
    const where = allOf(["accepted = true", oneOf("model_version", modelVersions), options.excludeRunId ? notEquals("run_id", options.excludeRunId) : undefined]);
    return byCreation(await this.failures.rows(where));
  }

  /** Every experiment of a run, oldest first. */
  async experimentsOfRun(runId: string): Promise<StoredExperiment[]> {
    return byCreation(await this.experiments.rows(equals("run_id", runId)));
  }

  close(): void {
    this.failures.close();
    this.experiments.close();
    this.examples.close();
    if (this.db.isOpen()) this.db.close();
  }
}

function byCreation<T extends { created_at: string; id: string }>(rows: T[]): T[] {
  return rows.sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id));
}
