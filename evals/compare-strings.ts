/**
 * Orders strings by UTF-16 code unit, like `Array.prototype.sort()` with no comparator.
 *
 * Used instead of `localeCompare` so that report ordering (tie-breaks, sorted label lists) is the
 * same on every machine regardless of locale.
 */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
