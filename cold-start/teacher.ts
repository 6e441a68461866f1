import { z } from "zod";
import type { ClassificationExample } from "../data/index.ts";
import { type DecisionMode, type LlmUsage, NO_USAGE, addUsage } from "../llm/usage.ts";
import { decideWithLlm, type LlmDecider } from "../llm/decide.ts";
import type { TaskSpec } from "./task-spec.ts";

/**
 * The cold start's LLM teacher, on an OpenAI-compatible endpoint: it writes the task spec, synthesizes
 * examples per label and judges labels blind (the second judgement of synthesized examples, and of
 * the traffic the zero-shot model labels). Every call goes through `decideWithLlm`: the description,
 * labels and texts reach the model only as a quoted data block, answers are zod-validated tool calls,
 * and a failing endpoint falls back to what the run does without a key (the offline spec, no
 * synthesis, no judgement).
 */
export interface TeacherLog {
  usage: LlmUsage;
  calls: { step: string; mode: DecisionMode; note: string | null }[];
}

export const newTeacherLog = (): TeacherLog => ({ usage: NO_USAGE, calls: [] });

const MAX_TEXT = 300;

/** Examples the teacher writes per label by default. */
export const SYNTHESIZED_PER_LABEL = 10;

const SpecDecision = z.object({
  labels: z.array(z.object({
    name: z.string().describe("the label, exactly as given"),
    definition: z.string().min(1).describe("one sentence: what messages with this label ask for"),
    phrasings: z.array(z.string().min(1).max(MAX_TEXT)).max(12).describe("typical user messages with this label, varied"),
    edge_cases: z.array(z.string().min(1).max(MAX_TEXT)).max(6).describe("messages near another label's boundary that still belong here"),
  })).describe("every label of the task, once each"),
});

/** The task spec written by the teacher: definitions, phrasings and edge cases per label. The
 * seeds stay first among the phrasings (they are real); the label set is the user's, never the
 * model's. Falls back to `offline`. */
export async function teacherTaskSpec(llm: LlmDecider, offline: TaskSpec, log: TeacherLog): Promise<TaskSpec> {
  const names = offline.labels.map((l) => l.name);
  const decided = await decideWithLlm(llm, {
    agent: "planner",
    instructions: "You write the specification of a text-classification task from its description and label names. For every label give a one-sentence definition, typical user messages (varied: questions and statements, short and long, casual and formal) and edge cases near other labels. Use exactly the given label names, each once.",
    data: { description: offline.description, labels: names, out_of_scope_label: offline.oos_label, seed_examples: offline.labels.map((l) => ({ label: l.name, examples: l.phrasings })) },
    tools: [],
    schema: SpecDecision,
    policy: () => ({ labels: offline.labels.map((l) => ({ name: l.name, definition: l.definition, phrasings: [], edge_cases: [] })) }),
    guard: (d) => namesProblem(d.labels.map((l) => l.name), names, "label"),
  });
  recordTeacherCall(log, "task spec", decided);
  if (decided.mode !== "llm") return offline;
  const byName = new Map(decided.decision.labels.map((l) => [l.name, l]));
  return {
    ...offline,
    source: "llm",
    labels: offline.labels.map((l) => {
      const written = byName.get(l.name)!;
      return { ...l, definition: written.definition, phrasings: [...l.phrasings, ...written.phrasings], edge_cases: written.edge_cases };
    }),
  };
}

const SynthesisDecision = z.object({
  examples: z.array(z.object({
    label: z.string().describe("one of the labels asked for"),
    text: z.string().min(1).max(MAX_TEXT).describe("a user message, as a user would type it"),
  })).describe("the examples, for every label asked for"),
});

/** Synthesized examples, `perLabel` a label, a few labels a call: diverse in length, register and
 * form, with typos, and hard cases near the labels they are confused with; the spec's phrasings
 * (seeds first) are the demonstrations. Nothing without a working endpoint. */
export async function synthesizeExamples(llm: LlmDecider, spec: TaskSpec, options: { perLabel: number; labelsPerCall?: number }, log: TeacherLog): Promise<ClassificationExample[]> {
  const per = options.labelsPerCall ?? 5;
  const out: ClassificationExample[] = [];
  for (let start = 0; start < spec.labels.length; start += per) {
    const batch = spec.labels.slice(start, start + per);
    const names = new Set(batch.map((l) => l.name));
    const decided = await decideWithLlm(llm, {
      agent: "data_curator",
      instructions: `You write training data for a text classifier. For each label asked for, write ${options.perLabel} user messages that belong to it: vary the length, register (casual, formal, terse), form (questions, statements, commands) and add a typo now and then; include hard cases that are close to the other labels of the task but clearly belong to this one. Do not copy the demonstrations. Give each example's label exactly as asked.`,
      data: { task: spec.description, labels_asked: batch.map((l) => ({ name: l.name, definition: l.definition, demonstrations: l.phrasings.slice(0, 6), edge_cases: l.edge_cases ?? [] })), other_labels: spec.labels.filter((l) => !names.has(l.name)).map((l) => l.name) },
      tools: [],
      schema: SynthesisDecision,
      policy: () => ({ examples: [] }),
      guard: (d) => {
        const stray = d.examples.find((e) => !names.has(e.label));
        if (stray) return `labels an example "${stray.label}", which was not asked for`;
        return d.examples.length > 2 * options.perLabel * batch.length ? `wrote ${d.examples.length} examples, more than twice the ${options.perLabel * batch.length} asked for` : null;
      },
    });
    recordTeacherCall(log, `synthesis (${batch.map((l) => l.name).join(", ")})`, decided);
    const counts = new Map<string, number>();
    for (const e of decided.decision.examples) {
      const n = (counts.get(e.label) ?? 0) + 1;
      counts.set(e.label, n);
      if (n <= options.perLabel) out.push({ id: `synth/${e.label}/${n}`, text: e.text.trim(), label: e.label, stage: "synthesized (teacher)" });
    }
  }
  return out;
}

/** Examples aimed at the student's confusions, the curator's move after a round: for each confused
 * pair (messages of `gold` predicted as `predicted` on the evaluation data), `perPair` messages that
 * clearly belong to `gold` though they come close to `predicted`. The teacher sees the two labels'
 * definitions and the seed demonstrations, never the evaluation messages (they stay a fair test). */
export async function synthesizeForConfusions(
  llm: LlmDecider,
  spec: TaskSpec,
  pairs: readonly { gold: string; predicted: string; count: number }[],
  options: { perPair: number; round: number },
  log: TeacherLog,
): Promise<ClassificationExample[]> {
  const byName = new Map(spec.labels.map((l) => [l.name, l]));
  const asked = pairs.filter((p) => byName.has(p.gold));
  if (asked.length === 0) return [];
  const golds = new Set(asked.map((p) => p.gold));
  const describe = (name: string) => ({ name, definition: byName.get(name)?.definition ?? "out of scope: none of the task's labels" });
  const decided = await decideWithLlm(llm, {
    agent: "data_curator",
    instructions: `You write training data for a text classifier that confuses some pairs of labels: it predicts the second label of a pair for messages that belong to the first. For each pair, write ${options.perPair} user messages that clearly belong to the first label although they come close to the second: make the difference plain in what the user asks for, and vary length, register and form. Do not copy the demonstrations. Give each example the first label of its pair, exactly as written.`,
    data: { task: spec.description, pairs: asked.map((p) => ({ belongs_to: { ...describe(p.gold), demonstrations: byName.get(p.gold)!.phrasings.slice(0, 4) }, mistaken_for: describe(p.predicted), mistakes_seen: p.count })) },
    tools: [],
    schema: SynthesisDecision,
    policy: () => ({ examples: [] }),
    guard: (d) => {
      const stray = d.examples.find((e) => !golds.has(e.label));
      if (stray) return `labels an example "${stray.label}", which is not the first label of any pair`;
      return d.examples.length > 2 * options.perPair * asked.length ? `wrote ${d.examples.length} examples, more than twice the ${options.perPair * asked.length} asked for` : null;
    },
  });
  recordTeacherCall(log, `round ${options.round}: synthesis for confused pairs (${asked.map((p) => `${p.gold} -> ${p.predicted}`).join(", ")})`, decided);
  const counts = new Map<string, number>();
  const out: ClassificationExample[] = [];
  for (const e of decided.decision.examples) {
    const n = (counts.get(e.label) ?? 0) + 1;
    counts.set(e.label, n);
    if (n <= options.perPair * asked.filter((p) => p.gold === e.label).length) {
      out.push({ id: `synth/${e.label}/r${options.round}-${n}`, text: e.text.trim(), label: e.label, stage: `synthesized (teacher, round ${options.round}, for a confused pair)` });
    }
  }
  return out;
}

const JudgementDecision = z.object({
  labels: z.array(z.object({
    id: z.string().describe("the message's id"),
    label: z.string().describe("the label the message belongs to"),
  })).describe("one label for every message"),
});

/** The teacher's blind label for each text (null where it gave none or the call failed): it sees
 * the labels and definitions, never the label a text was written or predicted for. */
export async function teacherJudgements(llm: LlmDecider, spec: TaskSpec, texts: readonly { id: string; text: string }[], log: TeacherLog, batchSize = 25): Promise<Map<string, string | null>> {
  const labels = [...spec.labels.map((l) => l.name), ...(spec.oos_label ? [spec.oos_label] : [])];
  const judged = new Map<string, string | null>(texts.map((t) => [t.id, null]));
  for (let start = 0; start < texts.length; start += batchSize) {
    // Messages go by their place in the batch: their ids may name the label they were written for.
    const batch = texts.slice(start, start + batchSize);
    const ids = new Set(batch.map((_, i) => String(i + 1)));
    const decided = await decideWithLlm(llm, {
      agent: "data_curator",
      instructions: `You label user messages for a text classifier. Give every message the one label it belongs to${spec.oos_label ? `; "${spec.oos_label}" when it belongs to none` : ""}.`,
      data: { task: spec.description, labels: spec.labels.map((l) => ({ name: l.name, definition: l.definition })), ...(spec.oos_label ? { out_of_scope_label: spec.oos_label } : {}), messages: batch.map((t, i) => ({ id: String(i + 1), text: t.text })) },
      tools: [],
      schema: JudgementDecision,
      policy: () => ({ labels: [] }),
      guard: (d) => {
        const stray = d.labels.find((j) => !ids.has(j.id));
        if (stray) return `labels a message "${stray.id}" that was not given`;
        const unknown = d.labels.find((j) => !labels.includes(j.label));
        return unknown ? `gives the label "${unknown.label}", which is not the task's` : null;
      },
    });
    recordTeacherCall(log, `judgement of ${batch.length} messages`, decided);
    for (const j of decided.decision.labels) judged.set(batch[Number(j.id) - 1]!.id, j.label);
  }
  return judged;
}

/** What is wrong with the names a spec answer gives, against the task's own (each once, no other). */
export function namesProblem(given: readonly string[], names: readonly string[], noun: "label" | "type"): string | null {
  const unknown = given.filter((n) => !names.includes(n));
  const missing = names.filter((n) => !given.includes(n));
  if (unknown.length) return `names ${noun}s that are not the task's: ${unknown.slice(0, 3).join(", ")}`;
  if (missing.length) return `leaves out ${noun}s: ${missing.slice(0, 3).join(", ")}`;
  return new Set(given).size === given.length ? null : `names a ${noun} twice`;
}

/** Adds a teacher call to the run's log: its step, how it was decided, its tokens. */
export function recordTeacherCall(log: TeacherLog, step: string, decided: { mode: DecisionMode; note: string | null; usage: LlmUsage }): void {
  log.usage = addUsage(log.usage, decided.usage);
  log.calls.push({ step, mode: decided.mode, note: decided.note });
}
