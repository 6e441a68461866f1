import type { ClassificationExample } from "../data/index.ts";
import type { ClassificationPrediction } from "../evals/types.ts";

/** Where an example of the cold start came from, and why it was kept or dropped. */
export interface LineageRow {
  id: string;
  source: "seed" | "synthesized" | "pseudo-label";
  label: string;
  text: string;
  kept: boolean;
  why: string;
}

/** How far down the zero-shot model's ranking an example's label may sit and still count as the
 * embedding's agreement: its top-1 alone would drop the hard cases synthesis is asked for. */
export const ZERO_SHOT_AGREEMENT_RANK = 3;

const normalized = (text: string) => text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, " ").trim();

function rankOf(prediction: ClassificationPrediction | undefined, label: string): number | null {
  if (!prediction?.probs) return null;
  const ranked = Object.entries(prediction.probs).sort((a, b) => b[1] - a[1]).map(([l]) => l);
  const i = ranked.indexOf(label);
  return i < 0 ? null : i + 1;
}

/**
 * The second judgement of synthesized examples: kept when the teacher, asked blind, gives the label
 * it was written for, and the zero-shot model ranks that label among its first few; dropped as a
 * duplicate when its normalized text repeats a seed or an earlier example. Each example's lineage
 * says which rule decided.
 */
export function verifySynthesized(
  examples: readonly ClassificationExample[],
  seeds: readonly ClassificationExample[],
  judgements: ReadonlyMap<string, string | null>,
  zeroShot: ReadonlyMap<string, ClassificationPrediction>,
  /** Synthesized examples kept in earlier rounds: a repeat of one is a duplicate too. */
  earlier: readonly ClassificationExample[] = [],
): { kept: ClassificationExample[]; lineage: LineageRow[] } {
  const seen = new Map([...seeds.map((s) => [normalized(s.text), `seed ${s.id}`] as const), ...earlier.map((e) => [normalized(e.text), e.id] as const)]);
  const kept: ClassificationExample[] = [];
  const lineage: LineageRow[] = [];
  for (const e of examples) {
    const row = { id: e.id, source: "synthesized" as const, label: e.label, text: e.text };
    const key = normalized(e.text);
    const twin = seen.get(key);
    const judged = judgements.get(e.id) ?? null;
    const rank = rankOf(zeroShot.get(e.id), e.label);
    let why: string | null = null;
    if (twin) why = `duplicate of ${twin}`;
    else if (judged === null) why = "the teacher gave no second judgement";
    else if (judged !== e.label) why = `the teacher, asked blind, labels it ${judged}`;
    else if (rank === null || rank > ZERO_SHOT_AGREEMENT_RANK) why = `the zero-shot model ranks ${e.label} ${rank ?? "nowhere"} (at most ${ZERO_SHOT_AGREEMENT_RANK} agrees)`;
    if (why) {
      lineage.push({ ...row, kept: false, why });
      continue;
    }
    seen.set(key, e.id);
    const reason = `the teacher agrees blind, the zero-shot model ranks it ${rank}`;
    kept.push({ ...e, stage: `synthesized (teacher); kept: ${reason}` });
    lineage.push({ ...row, kept: true, why: reason });
  }
  return { kept, lineage };
}

/** Pseudo-labels the teacher confirms: kept when its blind label is the zero-shot model's. */
export function confirmPseudoLabels(
  examples: readonly ClassificationExample[],
  judgements: ReadonlyMap<string, string | null>,
): { kept: ClassificationExample[]; lineage: LineageRow[] } {
  const kept: ClassificationExample[] = [];
  const lineage: LineageRow[] = [];
  for (const e of examples) {
    const judged = judgements.get(e.id) ?? null;
    const row = { id: e.id, source: "pseudo-label" as const, label: e.label, text: e.text };
    if (judged === e.label) {
      kept.push({ ...e, stage: `${e.stage}; the teacher agrees blind` });
      lineage.push({ ...row, kept: true, why: "the zero-shot model's confident label, and the teacher's blind one" });
    } else {
      lineage.push({ ...row, kept: false, why: judged === null ? "the teacher gave no judgement" : `the teacher, asked blind, labels it ${judged}` });
    }
  }
  return { kept, lineage };
}
