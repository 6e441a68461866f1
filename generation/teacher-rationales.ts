import { z } from "zod";
import { recordTeacherCall, type TeacherLog } from "../cold-start/teacher.ts";
import type { GenerationDataset } from "../data/index.ts";
import { decideWithLlm, type LlmDecider } from "../llm/decide.ts";

/** Questions a teacher call works on: small enough that a long answer stays within an endpoint's
 * output limit. */
const QUESTIONS_PER_CALL = 8;
const MAX_RATIONALE = 2000;

const RationalesDecision = z.object({
  rationales: z.array(z.object({
    id: z.string().describe("the question's id, exactly as given"),
    rationale: z.string().min(1).max(MAX_RATIONALE).describe("the worked steps, one per line, the last line stating the final answer; no '####' line"),
  })).describe("one worked rationale per question asked"),
});

/** The stage of an example whose rationale the teacher wrote. */
export const TEACHER_STAGE = "rationale by the teacher";

/**
 * The teacher's worked rationales for the training questions that have none: it sees each question
 * and its gold answer (as a quoted data block, never as instructions) and writes the steps that reach
 * it. What it writes is not trusted: the rationale targets keep a rationale only when its last line
 * states the gold answer (trainingRows' rejection sampling), so a wrong one is counted as rejected,
 * not learnt. A failing endpoint writes nothing, and those questions stay without a rationale.
 */
export async function teacherRationales(
  llm: LlmDecider,
  task: string,
  dataset: GenerationDataset,
  options: { limit: number },
  log: TeacherLog,
): Promise<{ dataset: GenerationDataset; written: number; asked: number }> {
  const missing = dataset.examples.filter((e) => !e.rationale).slice(0, options.limit);
  const written = new Map<string, string>();
  for (let start = 0; start < missing.length; start += QUESTIONS_PER_CALL) {
    const batch = missing.slice(start, start + QUESTIONS_PER_CALL);
    const ids = new Set(batch.map((e) => e.id));
    const decided = await decideWithLlm(llm, {
      agent: "data_curator",
      instructions: "You write worked solutions that a small model will learn from. For each question, write the reasoning steps that lead to its given answer: short lines, one step each, with the arithmetic written out, the last line stating the final answer. Do not add a '####' line. Give every question's id exactly as given.",
      data: { task, questions: batch.map((e) => ({ id: e.id, question: e.text, answer: e.target })) },
      tools: [],
      schema: RationalesDecision,
      policy: () => ({ rationales: [] }),
      guard: (d) => {
        const stray = d.rationales.find((r) => !ids.has(r.id));
        if (stray) return `writes a rationale for "${stray.id}", which was not asked for`;
        return new Set(d.rationales.map((r) => r.id)).size === d.rationales.length ? null : "writes two rationales for one question";
      },
    });
    recordTeacherCall(log, `rationales (${batch.length} questions)`, decided);
    for (const r of decided.decision.rationales) written.set(r.id, r.rationale.trim());
  }
  return {
    dataset: { ...dataset, examples: dataset.examples.map((e) => (written.has(e.id) ? { ...e, rationale: written.get(e.id)!, stage: TEACHER_STAGE } : e)) },
    written: written.size,
    asked: missing.length,
  };
}
