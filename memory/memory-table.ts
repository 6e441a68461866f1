import type { Connection, Table } from "@lancedb/lancedb";
import type { Embedder } from "./embedder.ts";
import { plainRow, vectorDim } from "./arrow-columns.ts";
import { MemoryDimensionMismatchError, MemorySchemaMismatchError, VectorDimensionError } from "./memory-errors.ts";
import type { TableSpec } from "./table-spec.ts";
import { validateRecords } from "./validate-records.ts";

export type WithSimilarity<S> = S & { /** Cosine similarity to the query, 1 = identical. */ similarity: number };

/** One LanceDB table of the memory: validated, embedded upserts; cosine search; filtered reads. */
export class MemoryTable<R, S> {
  private constructor(
    readonly spec: TableSpec<R, S>,
    private readonly table: Table,
    private readonly embedder: Embedder,
    /** Every column but `vector`: what reads select. */
    private readonly columns: string[],
  ) {}

  /** Opens the table, creating it empty when missing; checks its columns and vector size. */
  static async open<R, S>(db: Connection, dir: string, spec: TableSpec<R, S>, embedder: Embedder): Promise<MemoryTable<R, S>> {
    const expected = spec.arrowSchema(embedder.dim);
    // Not createEmptyTable(..., { existOk: true }): that compares the given schema with the stored
    // one and fails with a bare "Schema Error" when the vector size differs.
    const exists = (await db.tableNames()).includes(spec.name);
    const table = exists ? await db.openTable(spec.name) : await db.createEmptyTable(spec.name, expected);
    const actual = await table.schema();
    const storedDim = vectorDim(actual);
    if (storedDim !== null && storedDim !== embedder.dim) {
      table.close();
      throw new MemoryDimensionMismatchError(dir, spec.name, storedDim, embedder.dim);
    }
    const have = new Set(actual.fields.map((f) => f.name));
    const missing = expected.fields.map((f) => f.name).filter((name) => !have.has(name));
    if (missing.length > 0) {
      table.close();
      throw new MemorySchemaMismatchError(dir, spec.name, missing);
    }
    const columns = expected.fields.map((f) => f.name).filter((name) => name !== "vector");
    return new MemoryTable(spec, table, embedder, columns);
  }

  /** Validates, embeds in one batch, and upserts by id (a later record with the same id wins).
   * Returns how many distinct ids were written. */
  async upsert(records: readonly unknown[]): Promise<number> {
    const valid = validateRecords(this.spec.name, this.spec.record, records);
    const byId = new Map<string, R>();
    for (const record of valid) {
      const row = this.spec.toRow(record);
      byId.set(String(row.id), record);
    }
    const unique = [...byId.values()];
    if (unique.length === 0) return 0;
    const vectors = await this.embed(unique.map((r) => this.spec.embedText(r)));
    const createdAt = new Date().toISOString();
    const rows = unique.map((record, i) => ({ ...this.spec.toRow(record), created_at: createdAt, vector: vectors[i] }));
    await this.table.mergeInsert("id").whenMatchedUpdateAll().whenNotMatchedInsertAll().execute(rows);
    return unique.length;
  }

  /** Embeds texts with the memory's embedder, checking each vector's size. */
  async embed(texts: string[]): Promise<number[][]> {
    const vectors = await this.embedder.embed(texts);
    if (vectors.length !== texts.length) throw new Error(`the embedder returned ${vectors.length} vectors for ${texts.length} texts`);
    for (const v of vectors) this.checkDim(v, "a vector from the embedder");
    return vectors;
  }

  /** The query as a vector: a text is embedded, a vector is checked. */
  async vectorOf(query: string | readonly number[]): Promise<number[]> {
    if (typeof query !== "string") return this.checkDim([...query], "the query vector");
    const [vector] = await this.embed([query]);
    if (!vector) throw new Error("the embedder returned no vector for the query");
    return vector;
  }

  /** The k rows nearest to the vector by cosine, filtered before the search, nearest first. */
  async nearest(vector: number[], options: { k: number; where?: string | undefined }): Promise<WithSimilarity<S>[]> {
    // `_distance` is selected by name: LanceDB warns that it will stop adding it on its own.
    let query = this.table.vectorSearch(vector).distanceType("cosine").select([...this.columns, "_distance"]).limit(options.k);
    if (options.where) query = query.where(options.where);
    const rows = await query.toArray();
    return rows.map((row: unknown) => {
      const distance = Number((row as { _distance?: unknown })._distance);
      const similarity = Math.max(-1, Math.min(1, 1 - distance));
      return { ...this.spec.fromRow(plainRow(row)), similarity };
    });
  }

  /** Every row matching the filter (no limit), in table order. */
  async rows(where?: string): Promise<S[]> {
    let query = this.table.query().select(this.columns);
    if (where) query = query.where(where);
    const rows = await query.toArray();
    return rows.map((row: unknown) => this.spec.fromRow(plainRow(row)));
  }

  count(where?: string): Promise<number> {
    return this.table.countRows(where);
  }

  close(): void {
    if (this.table.isOpen()) this.table.close();
  }

  private checkDim(vector: number[], what: string): number[] {
    if (vector.length !== this.embedder.dim) throw new VectorDimensionError(this.embedder.dim, vector.length, what);
    return vector;
  }
}
