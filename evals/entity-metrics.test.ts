import { describe, expect, it } from "vitest";
import { decodeSpansLenient, entityMetrics, entityTypesOf, extractEntities } from "./entity-metrics.ts";

describe("extractEntities (seqeval strict, IOB2)", () => {
  it("drops an I- that does not follow a B-/I- of the same type", () => {
    expect(extractEntities(["I-PER", "I-PER", "O", "B-LOC", "I-LOC"])).toEqual([{ type: "LOC", start: 3, end: 5 }]);
    expect(extractEntities(["O", "I-PER"])).toEqual([]);
  });

  it("ends an entity at a type change and drops the orphan I- of the other type", () => {
    expect(extractEntities(["B-PER", "I-LOC", "I-LOC"])).toEqual([{ type: "PER", start: 0, end: 1 }]);
    expect(extractEntities(["B-PER", "I-PER", "I-LOC", "B-LOC"])).toEqual([
      { type: "PER", start: 0, end: 2 },
      { type: "LOC", start: 3, end: 4 },
    ]);
  });

  it("treats adjacent B-X B-X as two entities", () => {
    expect(extractEntities(["B-PER", "B-PER", "I-PER"])).toEqual([
      { type: "PER", start: 0, end: 1 },
      { type: "PER", start: 1, end: 3 },
    ]);
  });

  it("closes an entity that runs to the end of the sequence", () => {
    expect(extractEntities(["O", "B-ORG", "I-ORG"])).toEqual([{ type: "ORG", start: 1, end: 3 }]);
    expect(extractEntities(["B-ORG"])).toEqual([{ type: "ORG", start: 0, end: 1 }]);
  });

  it("handles empty sequences, all-O and untyped tags", () => {
    expect(extractEntities([])).toEqual([]);
    expect(extractEntities(["O", "O"])).toEqual([]);
    expect(extractEntities(["B", "I", "O"])).toEqual([{ type: "_", start: 0, end: 2 }]);
  });

  it("rejects tags outside IOB2 with the position", () => {
    expect(() => extractEntities(["O", "E-PER"])).toThrow(/"E-PER" at position 1/);
  });
});

describe("decodeSpansLenient", () => {
  it("starts a new entity at an I- after O or after another type", () => {
    expect(decodeSpansLenient(["I-PER", "I-PER", "O", "I-LOC"])).toEqual([
      { type: "PER", start: 0, end: 2 },
      { type: "LOC", start: 3, end: 4 },
    ]);
    expect(decodeSpansLenient(["B-PER", "I-LOC", "I-LOC"])).toEqual([
      { type: "PER", start: 0, end: 1 },
      { type: "LOC", start: 1, end: 3 },
    ]);
  });

  it("still splits B-X B-X and closes at the end", () => {
    expect(decodeSpansLenient(["B-PER", "B-PER", "I-PER"])).toEqual([
      { type: "PER", start: 0, end: 1 },
      { type: "PER", start: 1, end: 3 },
    ]);
  });
});

describe("entityTypesOf", () => {
  it("lists distinct types, sorted, using strict decoding", () => {
    expect(entityTypesOf(["B-PER", "O", "B-LOC", "B-PER", "I-ORG"])).toEqual(["LOC", "PER"]);
  });
});

describe("entityMetrics", () => {
  it("scores strict exact matches with micro averages and per-type rows", () => {
    // gold s0: PER[0,2) LOC[3,4)       s1: ORG[0,1) PER[2,3)          -> n_gold = 4
    // pred s0: PER[0,2) (I-LOC dropped) s1: ORG[0,2) PER[2,3)          -> n_pred = 3
    // correct: PER[0,2), PER[2,3)  (ORG boundary wrong)                -> n_correct = 2
    const m = entityMetrics(
      [
        ["B-PER", "I-PER", "O", "B-LOC"],
        ["B-ORG", "O", "B-PER"],
      ],
      [
        ["B-PER", "I-PER", "O", "I-LOC"],
        ["B-ORG", "I-ORG", "B-PER"],
      ],
    );
    expect(m.n_gold).toBe(4);
    expect(m.n_pred).toBe(3);
    expect(m.n_correct).toBe(2);
    expect(m.precision).toBeCloseTo(2 / 3, 12);
    expect(m.recall).toBeCloseTo(1 / 2, 12);
    expect(m.f1).toBeCloseTo(4 / 7, 12);
    expect(m.per_type).toEqual({
      LOC: { precision: 0, recall: 0, f1: 0, support: 1 },
      ORG: { precision: 0, recall: 0, f1: 0, support: 1 },
      PER: { precision: 1, recall: 1, f1: 1, support: 2 },
    });
  });

  it("requires the same sentence, and lists predicted-only types with support 0", () => {
    const m = entityMetrics(
      [
        ["B-PER", "O"],
        ["O", "O"],
      ],
      [
        ["O", "B-MISC"],
        ["B-PER", "O"],
      ],
    );
    expect(m.n_correct).toBe(0);
    expect(m.per_type.MISC).toEqual({ precision: 0, recall: 0, f1: 0, support: 0 });
    expect(m.per_type.PER).toEqual({ precision: 0, recall: 0, f1: 0, support: 1 });
  });

  it("computes per-type precision and recall that differ", () => {
    // gold: PER[0,1) PER[2,3) PER[4,5); pred: PER[0,1) PER[2,4)  -> P=1/2, R=1/3, F1=2/5
    const m = entityMetrics([["B-PER", "O", "B-PER", "O", "B-PER"]], [["B-PER", "O", "B-PER", "I-PER", "O"]]);
    expect(m.per_type.PER!.precision).toBeCloseTo(1 / 2, 12);
    expect(m.per_type.PER!.recall).toBeCloseTo(1 / 3, 12);
    expect(m.per_type.PER!.f1).toBeCloseTo(2 / 5, 12);
    expect(m.per_type.PER!.support).toBe(3);
  });

  it("returns zeros (not NaN) when there are no entities at all", () => {
    const m = entityMetrics([["O"]], [["O"]]);
    expect(m).toEqual({ precision: 0, recall: 0, f1: 0, per_type: {}, n_gold: 0, n_pred: 0, n_correct: 0 });
  });

  it("names the sentence whose lengths differ, and rejects mismatched or empty input", () => {
    expect(() => entityMetrics([["O"], ["O", "O"]], [["O"], ["O"]])).toThrow(/sentence 1 has 2 gold tags but 1 predicted/);
    expect(() => entityMetrics([["O"]], [])).toThrow(/1 sentences but predTags has 0/);
    expect(() => entityMetrics([], [])).toThrow(/no sentences/);
    expect(() => entityMetrics([["O"], ["X"]], [["O"], ["O"]])).toThrow(/sentence 1 \(gold\)/);
  });
});
