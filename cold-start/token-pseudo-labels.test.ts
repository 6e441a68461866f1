import { describe, expect, it } from "vitest";
import type { TokenPrediction } from "../evals/types.ts";
import { selectTokenPseudoLabels } from "./token-pseudo-labels.ts";
import { splitWords } from "./words.ts";
import { entityValues, offlineEntitySpec } from "./entity-spec.ts";

const sentence = (id: string, text: string) => ({ id, tokens: splitWords(text) });
const traffic = [sentence("a", "table for 4 at 7 pm"), sentence("b", "for 2 people"), sentence("c", "no thanks"), sentence("d", "ok"), sentence("e", "at 8 pm")];
const prediction = (id: string, tags: string[], confidences: number[]): [string, TokenPrediction] => [id, { id, tags, confidences }];
const predictions = new Map([
  prediction("a", ["O", "O", "B-people", "O", "B-time", "I-time"], [0.9, 0.9, 0.8, 0.9, 0.6, 0.7]),
  prediction("b", ["O", "B-people", "O"], [0.99, 0.95, 0.9]),
  prediction("c", ["O", "O"], [0.97, 0.9]),
  prediction("d", ["O"], [0.5]),
  prediction("e", ["O", "B-time", "I-time"], [0.9, 0.85, 0.8]),
]);

describe("token pseudo-labels", () => {
  it("keeps, per entity type and for sentences without entities, those whose least confident word is most confident", () => {
    const kept = selectTokenPseudoLabels(traffic, predictions, { perType: 1, by: "the zero-shot tagger" });
    expect(kept.map((e) => e.id).sort()).toEqual(["pseudo/b", "pseudo/c", "pseudo/e"]);
    expect(kept.find((e) => e.id === "pseudo/e")).toMatchObject({ tokens: ["at", "8", "pm"], tags: ["O", "B-time", "I-time"] });
    expect(kept.find((e) => e.id === "pseudo/c")?.stage).toBe("pseudo-label (the zero-shot tagger; no entity, least confident word 0.900)");
  });

  it("leaves out sentences already in the pool, so a later round adds new ones", () => {
    const kept = selectTokenPseudoLabels(traffic, predictions, { perType: 1, by: "the student", exclude: new Set(["pseudo/b", "pseudo/c", "pseudo/e"]) });
    expect(kept.map((e) => e.id).sort()).toEqual(["pseudo/a", "pseudo/d"]);
  });
});

describe("the offline entity spec", () => {
  it("cuts messages into words as the token data sets do", () => {
    expect(splitWords("At 07:45PM, for José's party!")).toEqual(["At", "07", ":", "45PM", ",", "for", "José", "'", "s", "party", "!"]);
  });

  it("reads entity values leniently and gives each type its seed values and the description's sentences", () => {
    expect(entityValues({ tokens: ["Silas", "Willaert", "at", "7", "pm"], tags: ["B-first_name", "B-last_name", "O", "I-time", "I-time"] }))
      .toEqual([{ type: "first_name", text: "Silas" }, { type: "last_name", text: "Willaert" }, { type: "time", text: "7 pm" }]);
    const spec = offlineEntitySpec("Book restaurant tables. Find the first name of the guest.", [{ name: "first_name" }, { name: "time", definition: "when to arrive" }],
      [{ id: "1", tokens: ["Anna", "at", "8"], tags: ["B-first_name", "O", "B-time"] }, { id: "2", tokens: ["Anna"], tags: ["B-first_name"] }]);
    expect(spec.types).toEqual([
      { name: "first_name", definition: "first name", phrasings: ["Anna", "Find the first name of the guest"] },
      { name: "time", definition: "when to arrive", phrasings: ["8"] },
    ]);
  });
});
