const WORD = /[\p{L}\p{N}_]+|[^\p{L}\p{N}_\s]/gu;

/** A message cut into words the way the token data sets are (restaurant8k: `\w+|[^\w\s]`): runs of
 * letters and digits, and every other non-space character alone. */
export function splitWords(text: string): string[] {
  return text.match(WORD) ?? [];
}

/** The words of `splitWords`, each with its character offsets in `text` (end exclusive). */
export function wordSpans(text: string): { word: string; start: number; end: number }[] {
  return [...text.matchAll(WORD)].map((m) => ({ word: m[0], start: m.index, end: m.index + m[0].length }));
}
