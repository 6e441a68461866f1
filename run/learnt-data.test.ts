import { describe, expect, it } from "vitest";
import { learntDataVersions, parentTrainingData } from "./learnt-data.ts";

describe("learntDataVersions", () => {
  const c = (id: string, init_from: string, promoted: boolean) => ({ id, data_hash: `h-${id}`, hyperparameters: { init_from }, promoted_id: promoted ? `v-${id}` : null });

  it("follows warm starts back to a rebuild from the base model", () => {
    // round 1 rebuilt from base and was promoted; round 2 warm-started from it on a replay share.
    expect(learntDataVersions([c("r1", "base", true), c("r2", "parent", true)], "r2")).toEqual({ fromDeployed: false, hashes: ["h-r1", "h-r2"] });
  });

  it("includes the run's deployed model when the chain starts there", () => {
    expect(learntDataVersions([c("r1", "base", false), c("r2", "parent", true)], "r2")).toEqual({ fromDeployed: true, hashes: ["h-r2"] });
  });

  it("follows a repair to the rejected candidate it started from", () => {
    const run = [c("r1", "base", true), c("r2", "parent", false), c("r3", "candidate", true)];
    expect(learntDataVersions(run, "r3")).toEqual({ fromDeployed: false, hashes: ["h-r1", "h-r2", "h-r3"] });
  });

  it("takes a rebuild's own version alone", () => {
    expect(learntDataVersions([c("r1", "parent", true), c("r2", "base", true)], "r2")).toEqual({ fromDeployed: false, hashes: ["h-r2"] });
  });
});

describe("parentTrainingData", () => {
  const candidates = [
    { data_hash: "h1", promoted_id: "v2" },
    { data_hash: "h2", promoted_id: null },
    { data_hash: "h3", promoted_id: "v3" },
  ];
  const versions = [{ hash: "h1" }, { hash: "h2" }, { hash: "h3" }];

  it("finds the version the round that promoted the parent trained on", () => {
    expect(parentTrainingData(candidates, versions, "v3")).toEqual({ hash: "h3" });
    expect(parentTrainingData(candidates, versions, "v2")).toEqual({ hash: "h1" });
  });

  it("knows nothing of the run's deployed model", () => {
    expect(parentTrainingData(candidates, versions, "v1")).toBeUndefined();
    expect(parentTrainingData(candidates, versions, null)).toBeUndefined();
  });
});
