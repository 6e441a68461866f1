import { Bool, DataType, Field, FixedSizeList, Float32, Float64, Utf8 } from "apache-arrow";

/** Column builders shared by the memory's tables (every table has `vector` and `created_at`). */

export const text = (name: string, nullable = false): Field => new Field(name, new Utf8(), nullable);
export const float = (name: string, nullable = false): Field => new Field(name, new Float64(), nullable);
export const bool = (name: string): Field => new Field(name, new Bool(), false);
export const vector = (dim: number): Field =>
  new Field("vector", new FixedSizeList(dim, new Field("item", new Float32(), true)), false);
export const createdAt = (): Field => text("created_at");

/** The dimension of a table's `vector` column, or null when it has none of the expected type.
 * Checked by type id, not instanceof: LanceDB's schema objects come from its own (CommonJS) copy
 * of apache-arrow, whose classes are not ours. */
export function vectorDim(schema: { fields: readonly Field[] }): number | null {
  const field = schema.fields.find((f) => f.name === "vector");
  return field && DataType.isFixedSizeList(field.type) ? (field.type as FixedSizeList).listSize : null;
}

/** Columns a row decodes from: everything but the vector (never read back) and LanceDB's extras. */
export function plainRow(row: unknown): Record<string, unknown> {
  const maybe = row as { toJSON?: () => Record<string, unknown> };
  const json = typeof maybe.toJSON === "function" ? maybe.toJSON() : (row as Record<string, unknown>);
  const { vector: _vector, _distance: _d, _rowid: _r, ...rest } = json;
  return rest;
}
