/** A message cut into words the way the token data sets are (restaurant8k: `\w+|[^\w\s]`): runs of
 * letters and digits, and every other non-space character alone. */
export function splitWords(text: string): string[] {
  return text.match(/[\p{L}\p{N}_]+|[^\p{L}\p{N}_\s]/gu) ?? [];
}
