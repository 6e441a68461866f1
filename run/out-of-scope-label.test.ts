import { describe, expect, it } from "vitest";
import type { ClassificationExample } from "../data/index.ts";
import type { ModelDirManifest } from "../trainer/model-dir.ts";
import { outOfScopeLabel } from "./intake.ts";

const model = { labels: ["balance", "transfer"], oos_label: null } as unknown as ModelDirManifest;
const failures = (labels: string[]): ClassificationExample[] => labels.map((label, i) => ({ id: `f${i}`, text: `query ${i}`, label }));

describe("outOfScopeLabel", () => {
  it("takes the given label, else the model's own", () => {
    expect(outOfScopeLabel({ oos_label: "oos", allow_new_labels: false }, model, [])).toEqual({ label: "oos", source: "given" });
    expect(outOfScopeLabel({ allow_new_labels: false }, { ...model, oos_label: "none_of_these" } as ModelDirManifest, [])).toEqual({ label: "none_of_these", source: "the deployed model's" });
  });

  it("infers a new label that most failures share, only when new labels are allowed", () => {
    const log = failures(["other", "other", "other", "balance", "refund"]);
    expect(outOfScopeLabel({ allow_new_labels: true }, model, log)).toEqual({ label: "other", source: 'inferred: "other", new to the model, is the gold of 3 of 5 failures' });
    expect(outOfScopeLabel({ allow_new_labels: false }, model, log).label).toBeNull();
    // A new intent among others is a coverage gap, not out of scope.
    expect(outOfScopeLabel({ allow_new_labels: true }, model, failures(["refund", "refund", "balance", "transfer"])).label).toBeNull();
  });
});
