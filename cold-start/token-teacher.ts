import { z } from "zod";
import { decideWithLlm, type LlmDecider } from "../llm/decide.ts";
import type { FoundEntity } from "./entity-spans.ts";
import type { EntitySpec } from "./entity-spec.ts";
import { namesProblem, recordTeacherCall, type TeacherLog } from "./teacher.ts";
import type { WrittenSentence } from "./verify-sentences.ts";

/**
 * The LLM teacher of a token task (entity extraction): it writes the types' definitions, writes
 * sentences with their entities marked by character offsets, and finds the entities of sentences
 * blind (the second judgement of what it wrote, and the labels of real traffic). As for
 * classification, every call goes through `decideWithLlm`: sentences reach the model only inside the
 * quoted data block, answers are zod-validated tool calls, and a failing endpoint falls back to the
 * offline path (the offline spec, no synthesis, no extraction).
 */
const MAX_TEXT = 300;

/** Sentences the teacher writes per entity type by default. */
export const SYNTHESIZED_PER_TYPE = 10;

const EntityTypesDecision = z.object({
  types: z.array(z.object({
    name: z.string().describe("the entity type, exactly as given"),
    definition: z.string().min(1).describe("one sentence: which words of a message are this type"),
    values: z.array(z.string().min(1).max(80)).max(12).describe("typical values of this type as users write them, varied"),
  })).describe("every entity type of the task, once each"),
});

/** Definitions and typical values per entity type, written by the teacher. The types are the
 * user's; the seed values stay first (they are real). Falls back to `offline`. */
export async function teacherEntitySpec(llm: LlmDecider, offline: EntitySpec, log: TeacherLog): Promise<EntitySpec> {
  const names = offline.types.map((t) => t.name);
  const decided = await decideWithLlm(llm, {
    agent: "planner",
    instructions: "You write the specification of an entity-extraction task from its description and entity type names. For every type give a one-sentence definition of which words of a user message belong to it, and typical values as users write them. Use exactly the given type names, each once.",
    data: { description: offline.description, entity_types: names, seed_values: offline.types.map((t) => ({ type: t.name, values: t.phrasings.slice(0, 8) })) },
    tools: [],
    schema: EntityTypesDecision,
    policy: () => ({ types: offline.types.map((t) => ({ name: t.name, definition: t.definition, values: [] })) }),
    guard: (d) => namesProblem(d.types.map((t) => t.name), names, "type"),
  });
  recordTeacherCall(log, "entity types", decided);
  if (decided.mode !== "llm") return offline;
  const byName = new Map(decided.decision.types.map((t) => [t.name, t]));
  return {
    ...offline,
    source: "llm",
    types: offline.types.map((t) => {
      const written = byName.get(t.name)!;
      return { ...t, definition: written.definition, phrasings: [...new Set([...t.phrasings, ...written.values])] };
    }),
  };
}

const SentencesDecision = z.object({
  sentences: z.array(z.object({
    text: z.string().min(1).max(MAX_TEXT).describe("a user message, as a user would type it"),
    entities: z.array(z.object({
      type: z.string().describe("one of the entity types"),
      start: z.number().int().describe("character offset where the entity starts in text (0-based)"),
      end: z.number().int().describe("character offset just after the entity's last character"),
      text: z.string().min(1).describe("the entity's words, exactly text[start:end]"),
    })).describe("every entity in the message, in order; none when it has none"),
  })).describe("the messages"),
});

/** Sentences with their entities marked by character offsets: `perType` for each type (a few types
 * a call), varied in length, register and form, with values of other types and messages with no
 * entity among them; the seed values are the demonstrations. Nothing without a working endpoint. */
export async function synthesizeSentences(llm: LlmDecider, spec: EntitySpec, options: { perType: number; typesPerCall?: number }, log: TeacherLog): Promise<WrittenSentence[]> {
  const per = options.typesPerCall ?? 3;
  const out: WrittenSentence[] = [];
  for (let start = 0; start < spec.types.length; start += per) {
    const batch = spec.types.slice(start, start + per);
    const asked = options.perType * batch.length;
    const decided = await decideWithLlm(llm, {
      agent: "data_curator",
      instructions: `You write training data for an entity extractor. Write ${asked} user messages, ${options.perType} for each entity type asked for, each containing at least one entity of that type; a message may hold entities of other types too, and about one in ten holds no entity at all. Vary the length, register (casual, formal, terse) and form (questions, statements, commands), and add a typo now and then. Mark every entity by its character offsets in the message (start inclusive, end exclusive, 0-based) and its exact text. Do not copy the demonstrations.`,
      data: { task: spec.description, types_asked: batch.map((t) => ({ name: t.name, definition: t.definition, demonstration_values: t.phrasings.slice(0, 6) })), all_types: spec.types.map((t) => ({ name: t.name, definition: t.definition })) },
      tools: [],
      schema: SentencesDecision,
      policy: () => ({ sentences: [] }),
      guard: (d) => (d.sentences.length > 2 * asked ? `wrote ${d.sentences.length} messages, more than twice the ${asked} asked for` : null),
    });
    recordTeacherCall(log, `synthesis (${batch.map((t) => t.name).join(", ")})`, decided);
    // The text stays as written: the offsets count its characters.
    decided.decision.sentences.slice(0, asked).forEach((s, i) => {
      out.push({ id: `synth/${start / per + 1}-${i + 1}`, text: s.text, entities: s.entities, stage: `synthesized (teacher, for ${batch.map((t) => t.name).join(", ")})` });
    });
  }
  return out;
}

const ExtractionDecision = z.object({
  messages: z.array(z.object({
    id: z.string().describe("the message's id"),
    entities: z.array(z.object({
      type: z.string().describe("one of the entity types"),
      text: z.string().min(1).describe("the entity's words, exactly as they appear in the message"),
    })).describe("every entity in the message, in order; none when it has none"),
  })).describe("one entry for every message"),
});

/** The teacher's entities in each sentence, found blind (null where it gave none or the call
 * failed): it sees the types and their definitions, never the entities a sentence was written or
 * tagged with. */
export async function teacherExtractions(llm: LlmDecider, spec: EntitySpec, sentences: readonly { id: string; text: string }[], log: TeacherLog, batchSize = 20): Promise<Map<string, FoundEntity[] | null>> {
  const names = new Set(spec.types.map((t) => t.name));
  const found = new Map<string, FoundEntity[] | null>(sentences.map((s) => [s.id, null]));
  for (let start = 0; start < sentences.length; start += batchSize) {
    // Messages go by their place in the batch, as in the classification teacher's judgements.
    const batch = sentences.slice(start, start + batchSize);
    const ids = new Set(batch.map((_, i) => String(i + 1)));
    const decided = await decideWithLlm(llm, {
      agent: "data_curator",
      instructions: "You find the entities in user messages for an entity extractor. For every message, list each entity of the given types with its exact words as they appear in the message, in order; an empty list when it has none.",
      data: { task: spec.description, entity_types: spec.types.map((t) => ({ name: t.name, definition: t.definition })), messages: batch.map((s, i) => ({ id: String(i + 1), text: s.text })) },
      tools: [],
      schema: ExtractionDecision,
      policy: () => ({ messages: [] }),
      guard: (d) => {
        const stray = d.messages.find((m) => !ids.has(m.id));
        if (stray) return `answers for a message "${stray.id}" that was not given`;
        const unknown = d.messages.flatMap((m) => m.entities).find((e) => !names.has(e.type));
        return unknown ? `gives the type "${unknown.type}", which is not the task's` : null;
      },
    });
    recordTeacherCall(log, `extraction from ${batch.length} messages`, decided);
    for (const m of decided.decision.messages) found.set(batch[Number(m.id) - 1]!.id, m.entities);
  }
  return found;
}
