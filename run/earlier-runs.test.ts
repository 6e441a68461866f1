import { describe, expect, it } from "vitest";
import type { StoredFailure } from "../memory/index.ts";
import { earlierRunGold } from "./earlier-runs.ts";

let clock = 0;
const record = (over: Partial<StoredFailure>): StoredFailure => ({
  id: "run-1/f1",
  run_id: "run-1",
  input: "my card has not arrived",
  gold: "card_arrival",
  prediction: "card_delivery_estimate",
  confidence: 0.6,
  cause: "coverage_gap",
  cluster: "c0",
  model_version: "v1",
  stage: "",
  fixable: true,
  accepted: true,
  created_at: new Date(Date.UTC(2026, 10, 1, 0, 0, clock++)).toISOString(),
  ...over,
});

const known = new Set(["card_arrival", "lost_card", "person", "location"]);

describe("earlierRunGold", () => {
  it("turns accepted gold into examples the gate and the curator read, oldest run first, each naming its run", () => {
    const records = [
      record({ id: "run-1/a", input: "where is my card", gold: "card_arrival" }),
      record({ id: "run-1/b", input: "i lost my card", gold: "lost_card" }),
      record({ id: "run-2/c", run_id: "run-2", input: "card gone missing", gold: "lost_card" }),
    ];
    const { examples, skipped } = earlierRunGold(records, { kind: "classification", known, currentInputs: new Set() });
    expect(examples).toEqual([
      { id: "earlier/run-1/a", text: "where is my card", label: "card_arrival", stage: "run-1" },
      { id: "earlier/run-1/b", text: "i lost my card", label: "lost_card", stage: "run-1" },
      { id: "earlier/run-2/c", text: "card gone missing", label: "lost_card", stage: "run-2" },
    ]);
    expect(skipped).toEqual({ in_current_failures: 0, superseded: 0, not_in_label_set: 0 });
  });

  it("lets newer feedback on the same input win: the current failures file, then the latest run", () => {
    const records = [
      record({ id: "run-1/a", input: "where is my card", gold: "lost_card" }),
      record({ id: "run-2/a", run_id: "run-2", input: "where is my card", gold: "card_arrival" }),
      record({ id: "run-2/b", run_id: "run-2", input: "reported again now", gold: "lost_card" }),
    ];
    const { examples, skipped } = earlierRunGold(records, { kind: "classification", known, currentInputs: new Set(["reported again now"]) });
    expect(examples).toEqual([{ id: "earlier/run-2/a", text: "where is my card", label: "card_arrival", stage: "run-2" }]);
    expect(skipped).toEqual({ in_current_failures: 1, superseded: 1, not_in_label_set: 0 });
  });

  it("leaves out gold the task no longer has a label for, and token records whose tags do not fit", () => {
    const classification = earlierRunGold([record({ id: "run-1/x", gold: "retired_intent" })], { kind: "classification", known, currentInputs: new Set() });
    expect(classification.examples).toEqual([]);
    expect(classification.skipped.not_in_label_set).toBe(1);

    const token = earlierRunGold(
      [
        record({ id: "run-1/t1", input: "Taylor Swift in Paris", gold: "B-person I-person O B-location" }),
        record({ id: "run-1/t2", input: "Taylor Swift", gold: "B-person" }),
        record({ id: "run-1/t3", input: "Acme rocks", gold: "B-corporation O" }),
      ],
      { kind: "token", known, currentInputs: new Set() },
    );
    expect(token.examples).toEqual([{ id: "earlier/run-1/t1", tokens: ["Taylor", "Swift", "in", "Paris"], tags: ["B-person", "I-person", "O", "B-location"], stage: "run-1" }]);
    expect(token.skipped.not_in_label_set).toBe(2);
  });
});
