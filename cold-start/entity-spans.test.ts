import { describe, expect, it } from "vitest";
import { foundToBio, writtenToBio } from "./entity-spans.ts";
import { teacherLabeledTraffic, verifyWrittenSentences, type WrittenSentence } from "./verify-sentences.ts";

const TYPES = new Set(["time", "people", "first_name"]);
const TEXT = "Table for 4 at 7:30 pm, name's Anna";
// 0         1         2         3
// 01234567890123456789012345678901234

describe("writtenToBio", () => {
  it("turns character offsets into BIO words cut the way traffic is", () => {
    const bio = writtenToBio(TEXT, [{ type: "people", start: 10, end: 11, text: "4" }, { type: "time", start: 15, end: 22, text: "7:30 pm" }, { type: "first_name", start: 31, end: 35, text: "Anna" }], TYPES);
    expect(bio).toEqual({
      tokens: ["Table", "for", "4", "at", "7", ":", "30", "pm", ",", "name", "'", "s", "Anna"],
      tags: ["O", "O", "B-people", "O", "B-time", "I-time", "I-time", "I-time", "O", "O", "O", "O", "B-first_name"],
      repaired: 0,
    });
  });

  it("moves miscounted offsets to the entity's text when it occurs once, and refuses them when it does not", () => {
    const moved = writtenToBio(TEXT, [{ type: "first_name", start: 30, end: 34, text: "Anna" }], TYPES);
    expect(moved).toMatchObject({ repaired: 1, tags: [...Array(12).fill("O"), "B-first_name"] });
    expect(writtenToBio("for 4, table 4", [{ type: "people", start: 0, end: 1, text: "4" }], TYPES)).toEqual({ problem: 'offsets 0-1 give "f", not "4"' });
    expect(writtenToBio(TEXT, [{ type: "people", start: 40, end: 42, text: "44" }], TYPES)).toEqual({ problem: "offsets 40-42 are not a span of the sentence (35 characters)" });
  });

  it("refuses offsets that cut a word, overlapping entities and a type the task does not have", () => {
    expect(writtenToBio(TEXT, [{ type: "first_name", start: 32, end: 35, text: "nna" }], TYPES)).toEqual({ problem: 'offsets 32-35 ("nna") cut a word' });
    expect(writtenToBio(TEXT, [{ type: "time", start: 15, end: 22, text: "7:30 pm" }, { type: "people", start: 20, end: 22, text: "pm" }], TYPES)).toEqual({ problem: 'two entities overlap at the word "pm"' });
    expect(writtenToBio(TEXT, [{ type: "city", start: 31, end: 35, text: "Anna" }], TYPES)).toEqual({ problem: 'the entity "Anna" has the type "city", which is not one of the task\'s' });
  });
});

describe("foundToBio", () => {
  const tokens = ["book", "4", "people", "for", "4", "pm", "Friday"];
  it("locates each value by its words, case aside, the first occurrence not taken", () => {
    expect(foundToBio(tokens, [{ type: "people", text: "4" }, { type: "time", text: "4 PM" }], TYPES)).toEqual({
      tokens,
      tags: ["O", "B-people", "O", "O", "B-time", "I-time", "O"],
    });
  });
  it("says when a value is not in the sentence", () => {
    expect(foundToBio(tokens, [{ type: "time", text: "5 pm" }], TYPES)).toEqual({ problem: 'finds time "5 pm", which is not in the sentence' });
  });
});

describe("verifyWrittenSentences", () => {
  const w = (id: string, text: string, entities: WrittenSentence["entities"]): WrittenSentence => ({ id, text, entities, stage: "synthesized (teacher)" });
  const seeds = [{ id: "s1", tokens: ["a", "table", "for", "2"], tags: ["O", "O", "O", "B-people"] }];
  it("keeps what the blind extraction confirms, and says why every other sentence was dropped", () => {
    const written = [
      w("ok", "Anna here, 3 of us", [{ type: "first_name", start: 0, end: 4, text: "Anna" }, { type: "people", start: 11, end: 12, text: "3" }]),
      w("disagree", "at 8 for Tom", [{ type: "time", start: 3, end: 4, text: "8" }]),
      w("cut", "around 9ish", [{ type: "time", start: 7, end: 8, text: "9" }]),
      w("dup", "A table for 2!", [{ type: "people", start: 12, end: 13, text: "2" }]),
      w("silent", "ten people at noon", [{ type: "people", start: 0, end: 3, text: "ten" }]),
    ];
    const found = new Map([
      ["ok", [{ type: "first_name", text: "anna" }, { type: "people", text: "3" }]],
      ["disagree", [{ type: "time", text: "8" }, { type: "first_name", text: "Tom" }]],
      ["dup", [{ type: "people", text: "2" }]],
      ["silent", null],
    ]);
    const { kept, lineage } = verifyWrittenSentences(written, TYPES, seeds, found);
    expect(kept.map((e) => e.id)).toEqual(["ok"]);
    expect(kept[0]!.tags).toEqual(["B-first_name", "O", "O", "B-people", "O", "O"]);
    expect(Object.fromEntries(lineage.map((r) => [r.id, r.why]))).toEqual({
      ok: "the teacher, asked blind, finds the same entities",
      disagree: 'the teacher, asked blind, finds time "8", first_name "Tom" (written: time "8")',
      cut: 'its entities do not hold: offsets 7-8 ("9") cut a word',
      dup: "duplicate of seed s1",
      silent: "the teacher gave no second extraction",
    });
  });
});

describe("teacherLabeledTraffic", () => {
  it("takes the teacher's entities over the tagger's, and drops a sentence whose values it cannot place", () => {
    const picked = [
      { id: "pseudo/1", tokens: ["for", "6", "at", "8"], tags: ["O", "B-time", "O", "B-time"], stage: "pseudo-label (the student; time)" },
      { id: "pseudo/2", tokens: ["hi", "there"], tags: ["O", "O"], stage: "pseudo-label (the student; no entity)" },
      { id: "pseudo/3", tokens: ["Mia", "here"], tags: ["O", "O"], stage: "pseudo-label (the student; no entity)" },
    ];
    const found = new Map([
      ["pseudo/1", [{ type: "people", text: "6" }, { type: "time", text: "8" }]],
      ["pseudo/2", []],
      ["pseudo/3", [{ type: "first_name", text: "Mya" }]],
    ]);
    const { kept, dropped, changed } = teacherLabeledTraffic(picked, TYPES, found);
    expect(kept.map((e) => [e.id, e.tags])).toEqual([["pseudo/1", ["O", "B-people", "O", "B-time"]], ["pseudo/2", ["O", "O"]]]);
    expect(kept[0]!.stage).toBe('pseudo-label (the student; time); labeled by the teacher, asked blind (the tagger found time "6", time "8")');
    expect(changed).toBe(1);
    expect(dropped).toMatchObject([{ id: "pseudo/3", kept: false, why: 'the teacher, asked blind, finds first_name "Mya", which is not in the sentence' }]);
  });
});
