/** Building LanceDB `where` filters from untrusted values (failure text comes from users). */

/** A SQL string literal: single quotes doubled, so the value stays data whatever it holds. */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** `column = 'value'`, with the value escaped. Column names are ours, never user input. */
export function equals(column: string, value: string): string {
  return `${column} = ${sqlString(value)}`;
}

/** `column != 'value'`, with the value escaped. */
export function notEquals(column: string, value: string): string {
  return `${column} != ${sqlString(value)}`;
}

/** `column IN ('a', 'b')`, each value escaped; a filter nothing matches when values is empty. */
export function oneOf(column: string, values: readonly string[]): string {
  return values.length === 0 ? "false" : `${column} IN (${values.map(sqlString).join(", ")})`;
}

/** The clauses joined with AND (each parenthesized), or undefined when there are none. */
export function allOf(clauses: readonly (string | undefined)[]): string | undefined {
  const present = clauses.filter((c): c is string => c !== undefined);
  return present.length === 0 ? undefined : present.map((c) => `(${c})`).join(" AND ");
}
