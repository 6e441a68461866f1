import { describe, expect, it } from "vitest";
import { SuspectVerdicts } from "./schema.ts";
import { suspectVerdictViolation } from "./suspect-verdicts.ts";

const shown = new Set(["p1", "p2"]);
const labels = new Set(["card_arrival", "card_delivery_estimate", "lost_or_stolen_card"]);
const verdicts = (value: unknown) => SuspectVerdicts.parse(value);

describe("suspectVerdictViolation", () => {
  it("accepts verdicts on shown suspects, to the task's labels, and focus pairs of two labels", () => {
    const v = verdicts({
      suspects: [{ id: "p1", action: "relabel", label: "card_arrival", reason: "r" }, { id: "p2", action: "drop", reason: "r" }],
      focus_pairs: [{ gold: "card_arrival", predicted: "card_delivery_estimate" }],
    });
    expect(suspectVerdictViolation(v, shown, labels)).toBeNull();
    expect(verdicts({ suspects: [] }).focus_pairs).toEqual([]);
  });

  it("rejects an example it was not shown, a verdict given twice, a label outside the set and a bad pair", () => {
    expect(suspectVerdictViolation(verdicts({ suspects: [{ id: "train:9", action: "drop", reason: "r" }] }), shown, labels)).toMatch(/"train:9" is not one of the suspects shown/);
    expect(suspectVerdictViolation(verdicts({ suspects: [{ id: "p1", action: "keep", reason: "r" }, { id: "p1", action: "drop", reason: "r" }] }), shown, labels)).toMatch(/judged twice/);
    expect(suspectVerdictViolation(verdicts({ suspects: [{ id: "p1", action: "relabel", label: "refund", reason: "r" }] }), shown, labels)).toMatch(/relabel needs one of the task's labels, got "refund"/);
    expect(suspectVerdictViolation(verdicts({ suspects: [{ id: "p1", action: "relabel", reason: "r" }] }), shown, labels)).toMatch(/got null/);
    expect(suspectVerdictViolation(verdicts({ suspects: [], focus_pairs: [{ gold: "card_arrival", predicted: "card_arrival" }] }), shown, labels)).toMatch(/two different labels/);
  });
});
