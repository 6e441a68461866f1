import { z } from "zod";

/**
 * How a generation task's answer is read from an output, so that exact match compares answers and
 * not wording:
 * - `number`: the number after the last `####` (GSM8K's answer line), else the output's last number;
 *   normalised (no `$`, `,`, `+` or trailing decimal zeros: "$1,200.50" -> "1200.5");
 * - `exact`: the text after the last `####`, else the whole output; trimmed, spaces collapsed, case
 *   and a final full stop ignored.
 */
export const AnswerExtractor = z.enum(["number", "exact"]);
export type AnswerExtractor = z.infer<typeof AnswerExtractor>;

/** The separator between a rationale and its answer in every target Pioneer trains on. */
export const ANSWER_MARK = "####";

const NUMBER = /[-+]?\$?\d[\d,]*(?:\.\d+)?|[-+]?\$?\.\d+/g;

/** A number as written, normalised; null when it is not one. */
export function normalizeNumber(written: string): string | null {
  const bare = written.replace(/[$,\s]/g, "").replace(/^\+/, "");
  if (!/^-?(?:\d+(?:\.\d+)?|\.\d+)$/.test(bare)) return null;
  const negative = bare.startsWith("-");
  const [whole = "", fraction = ""] = (negative ? bare.slice(1) : bare).split(".");
  const int = whole.replace(/^0+(?=\d)/, "") || "0";
  const decimals = fraction.replace(/0+$/, "");
  const value = decimals ? `${int}.${decimals}` : int;
  return negative && value !== "0" ? `-${value}` : value;
}

const normalizeText = (text: string) => text.trim().replace(/\s+/g, " ").replace(/\.$/, "").toLowerCase();

/** The answer an output gives (null: none can be read). */
export function extractAnswer(output: string, extractor: AnswerExtractor): string | null {
  const mark = output.lastIndexOf(ANSWER_MARK);
  const answerPart = mark >= 0 ? output.slice(mark + ANSWER_MARK.length) : null;
  if (extractor === "exact") {
    const text = normalizeText(answerPart ?? output);
    return text === "" ? null : text;
  }
  const numbers = (answerPart ?? output).match(NUMBER) ?? [];
  const picked = answerPart !== null ? numbers[0] : numbers.at(-1);
  return picked === undefined ? null : normalizeNumber(picked);
}

/** Whether two answers are the same once extracted (a gold target is read like an output). */
export function sameAnswer(output: string, gold: string, extractor: AnswerExtractor): boolean {
  const answer = extractAnswer(output, extractor);
  return answer !== null && answer === extractAnswer(gold, extractor);
}

/**
 * Whether a worked rationale reaches the gold answer: its last line states it (for `number`, the
 * gold number is among the last line's numbers: GSM8K's "It will take her 120/24 = 5 hours to read
 * 120 pages." reaches 5, though its last number is 120; for `exact`, the last line contains the
 * answer). A rationale that does not is rejected, not trained on.
 */
export function rationaleReachesAnswer(rationale: string, gold: string, extractor: AnswerExtractor): boolean {
  const answer = extractAnswer(gold, extractor);
  const last = rationale.trim().split("\n").filter((l) => l.trim()).at(-1) ?? "";
  if (answer === null) return false;
  if (extractor === "exact") return normalizeText(last).includes(answer);
  return (last.match(NUMBER) ?? []).some((n) => normalizeNumber(n) === answer);
}

/** The training target of an example: the answer alone, or the rationale then the answer. */
export function renderTarget(answer: string, rationale?: string): string {
  return rationale ? `${rationale.trim()}\n${ANSWER_MARK} ${answer.trim()}` : `${ANSWER_MARK} ${answer.trim()}`;
}
