/** Errors of the LanceDB memory: each carries the facts as fields and says what to do. */

/** The memory directory was built with embeddings of another size than the embedder gives now. */
export class MemoryDimensionMismatchError extends Error {
  override readonly name = "MemoryDimensionMismatchError";
  constructor(
    readonly dir: string,
    readonly table: string,
    readonly storedDim: number,
    readonly embedderDim: number,
  ) {
    super(
      `the memory at ${dir} stores ${storedDim}-dim vectors (table "${table}") but the embedder gives ${embedderDim}-dim ones; ` +
        `open it with the embedder that built it, or point the memory at a new directory`,
    );
  }
}

/** An existing table lacks columns this version of the memory needs (built by an older Pioneer?). */
export class MemorySchemaMismatchError extends Error {
  override readonly name = "MemorySchemaMismatchError";
  constructor(
    readonly dir: string,
    readonly table: string,
    readonly missing: readonly string[],
  ) {
    super(
      `table "${table}" in the memory at ${dir} lacks the column(s) ${missing.join(", ")}; ` +
        `it was written by another version: point the memory at a new directory, or move the old one aside`,
    );
  }
}

/** A record handed to the memory failed validation; nothing of its batch was written. */
export class InvalidMemoryRecordError extends Error {
  override readonly name = "InvalidMemoryRecordError";
  constructor(
    readonly table: string,
    /** Position of the record in the batch. */
    readonly index: number,
    /** "field.path: problem" for each problem found. */
    readonly problems: readonly string[],
  ) {
    super(`invalid ${table} record #${index}: ${problems.join("; ")}; fix these fields and add the batch again (nothing of it was written)`);
  }
}

/** A vector (from the embedder, or given as a query) has the wrong number of dimensions. */
export class VectorDimensionError extends Error {
  override readonly name = "VectorDimensionError";
  constructor(
    readonly expected: number,
    readonly got: number,
    readonly what: string,
  ) {
    super(`${what} has ${got} dimensions, the memory uses ${expected}; embed it with the memory's embedder`);
  }
}

/** Options of a query failed validation. */
export class InvalidMemoryQueryError extends Error {
  override readonly name = "InvalidMemoryQueryError";
  constructor(
    readonly query: string,
    readonly problems: readonly string[],
  ) {
    super(`invalid options for ${query}: ${problems.join("; ")}; fix them and query again`);
  }
}
