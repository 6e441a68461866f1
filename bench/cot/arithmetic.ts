import type { GenerationExample } from "../../data/index.ts";
import { mulberry32 } from "../../lib/random.ts";

/**
 * Seeded multi-step arithmetic word problems, the chain-of-thought benchmark's second task: a small
 * decoder can learn the format within minutes, and the intermediate results (the rationale) should
 * matter, since the answer takes several operations in a row. Procedural data is honest when its
 * generator is here: the same seed gives the same problems.
 *
 *   "Mia has 7 marbles. She buys 5 more, then gives away 3, then doubles them. How many marbles
 *    does Mia have now?"  rationale "7 + 5 = 12\n12 - 3 = 9\n9 * 2 = 18"  target "18"
 */
const NAMES = ["Mia", "Leo", "Ava", "Noah", "Zoe", "Omar", "Ines", "Tom", "Lena", "Ravi", "Sara", "Kai"];
const THINGS = ["marbles", "apples", "stickers", "coins", "books", "pencils", "shells", "cards"];

type Step = { phrase: (k: number) => string; apply: (x: number, k: number) => number; sign: string; ok: (x: number, k: number) => boolean };
const STEPS: Step[] = [
  { phrase: (k) => `buys ${k} more`, apply: (x, k) => x + k, sign: "+", ok: () => true },
  { phrase: (k) => `gives away ${k}`, apply: (x, k) => x - k, sign: "-", ok: (x, k) => k < x },
  { phrase: (k) => (k === 2 ? "doubles them" : k === 3 ? "triples them" : `multiplies them by ${k}`), apply: (x, k) => x * k, sign: "*", ok: (x, k) => x * k <= 500 },
];

export function arithmeticProblems(count: number, seed: number, steps = 3): GenerationExample[] {
  const rng = mulberry32(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1));
  const out: GenerationExample[] = [];
  for (let i = 0; i < count; i++) {
    const name = NAMES[int(0, NAMES.length - 1)]!;
    const thing = THINGS[int(0, THINGS.length - 1)]!;
    let x = int(2, 20);
    const phrases: string[] = [];
    const lines: string[] = [];
    while (phrases.length < steps) {
      const step = STEPS[int(0, STEPS.length - 1)]!;
      const k = step.sign === "*" ? int(2, 3) : int(1, 15);
      if (!step.ok(x, k)) continue;
      const next = step.apply(x, k);
      lines.push(`${x} ${step.sign} ${k} = ${next}`);
      phrases.push(step.phrase(k));
      x = next;
    }
    const start = lines[0]!.split(" ")[0];
    const pronoun = ["Mia", "Ava", "Zoe", "Ines", "Lena", "Sara"].includes(name) ? "She" : "He";
    out.push({
      id: `arith-${seed}-${i}`,
      text: `${name} has ${start} ${thing}. ${pronoun} ${phrases.slice(0, -1).join(", then ")}${phrases.length > 1 ? ", then " : ""}${phrases.at(-1)}. How many ${thing} does ${name} have now?`,
      target: String(x),
      rationale: lines.join("\n"),
    });
  }
  return out;
}
