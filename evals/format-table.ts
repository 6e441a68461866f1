/**
 * Lays out rows as aligned plain-text columns separated by two spaces: the first column is
 * left-aligned (names), the others right-aligned (numbers). Returns one string per line, header first.
 */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => (r[c] ?? "").length)));
  return all.map((r) =>
    widths
      .map((w, c) => {
        const cell = r[c] ?? "";
        return c === 0 ? cell.padEnd(w) : cell.padStart(w);
      })
      .join("  ")
      .trimEnd(),
  );
}
