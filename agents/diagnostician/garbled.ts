/** Inputs no training can learn from: mostly non-letters, character runs, a word or less, or text
 * that addresses the system instead of the model's task (instructions are data here, never obeyed,
 * and such a failure is not used as training data). */
const INSTRUCTION_LIKE = new RegExp(
  [
    String.raw`\b(ignore|disregard|forget)\b.{0,40}\b(instructions?|previous|above|rules)\b`, // override attempts
    String.raw`\bsystem prompt\b|\bpromote (this|the|me)\b`,
    String.raw`(^|[\s\[(])(system|assistant|developer|admin)\s*(:|override\b|mode\b)`, // role markers
    String.raw`\b(note|message|instructions?) (to|for) the (model|assistant|ai|classifier|system)\b`,
    String.raw`\b(always|only) (answer|respond|reply|output|say|predict)\b.{0,30}\bfrom now on\b`,
    String.raw`\b(classify|(re-?)?label|tag) (this|it|everything|the message|all (the |these )?(examples|inputs|messages|failures|data))\b.{0,20}\bas\b`,
    String.raw`"?\btool_calls?\b"?\s*[:=\[]|"arguments"\s*:|\bsubmit_decision\b`, // tool-call-looking JSON
    String.raw`\b(correct|true|right) label (for this|is)\b|\blabel\s*=`,
  ].join("|"),
  "i",
);

export function garbledReason(text: string): string | null {
  const trimmed = text.trim();
  if (INSTRUCTION_LIKE.test(trimmed)) return "instruction-like text inside the input";
  const letters = (trimmed.match(/\p{L}/gu) ?? []).length;
  if (trimmed.length > 0 && letters / trimmed.length < 0.5) return `only ${Math.round((letters / trimmed.length) * 100)}% letters`;
  if (/(.)\1{5,}/u.test(trimmed)) return "a run of one repeated character";
  if (trimmed.split(/\s+/).filter(Boolean).length <= 1 && trimmed.length < 6) return "a single short fragment";
  return null;
}
