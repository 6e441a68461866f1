import { describe, expect, it } from "vitest";
import type { ClassificationExample, Example, TokenExample } from "../../data/index.ts";
import type { LabelIssue } from "../../tools/find-label-issues.ts";
import { repairBio } from "../../data/bio.ts";
import { type CurateInput, curate } from "./policy.ts";
import { CurationPlan } from "./schema.ts";

const ex = (id: string, label: string, extra: Partial<ClassificationExample> = {}): ClassificationExample => ({ id, text: `text of ${id}`, label, ...extra });
const issue = (id: string, suggested: string, suggested_prob: number, label_quality = 0.05): LabelIssue => ({ id, is_issue: true, label_quality, suggested, suggested_prob });

function input(overrides: Omit<Partial<CurateInput>, "plan"> & { plan?: Partial<CurationPlan> } = {}): CurateInput {
  return {
    pool: [ex("p1", "A"), ex("p2", "A"), ex("p3", "B"), ex("p4", "B")],
    poolIssues: new Map([
      ["p1", issue("pool/p1", "B", 0.8)], // confident: relabel A -> B
      ["p2", issue("pool/p2", "B", 0.3)], // unsure: drop
      ["p4", { id: "pool/p4", is_issue: false, label_quality: 0.9 }], // looked at, fine
    ]),
    failures: [ex("f1", "A"), ex("f2", "B")],
    accepted: new Set(["f1"]),
    regression: [ex("r1", "A"), ex("r2", "B")],
    hardNegativeIds: [],
    seed: 7,
    ...overrides,
    plan: CurationPlan.parse(overrides.plan ?? {}),
  };
}

const byId = (examples: readonly Example[]) => new Map(examples.map((e) => [e.id, e]));

/** The lineage's counts describe the data: pool - removed + added is what was built. */
function expectLineageMatches(inputPoolSize: number, result: ReturnType<typeof curate>) {
  const { added, removed } = result.lineage;
  expect(result.examples.length).toBe(inputPoolSize - removed + added);
}

describe("curate (offline data curator)", () => {
  it("relabels a flagged example whose suggestion is likely enough and drops one whose suggestion is not", () => {
    const out = curate(input());
    const examples = byId(out.examples);
    expect(examples.get("p1")).toMatchObject({ label: "B" });
    expect(examples.has("p2")).toBe(false);
    expect(examples.get("p3")).toEqual(ex("p3", "B"));
    expect(examples.get("p4")).toEqual(ex("p4", "B"));
    expect(out.changes.filter((c) => c.id === "p1")).toEqual([expect.objectContaining({ action: "relabeled", from: "A", to: "B" })]);
    expect(out.changes.filter((c) => c.id === "p2")).toEqual([expect.objectContaining({ action: "removed", from: "A" })]);
  });

  it("keeps what earlier runs taught as weighted gold, and a pool copy of it exempt from cleaning", () => {
    const earlierGold = [
      { id: "earlier/run-1/f9", text: "a fix of run 1", label: "B", stage: "run-1" },
      // The pool is run 1's data version: it holds these two; confident learning flags p1.
      { id: "earlier/run-1/f1", text: "text of p1", label: "A", stage: "run-1" },
      { id: "earlier/run-1/f3", text: "text of p3", label: "A", stage: "run-1" },
    ];
    const out = curate(input({ earlierGold }));
    const examples = byId(out.examples);
    expect(examples.get("earlier/run-1/f9")).toMatchObject({ label: "B", weight: 2 });
    expect(examples.get("p1")).toMatchObject({ label: "A", weight: 2 }); // not relabeled to B
    expect(examples.get("p3")).toMatchObject({ label: "A", weight: 2 }); // the pool's B is not the accepted label
    expect(examples.has("earlier/run-1/f1") || examples.has("earlier/run-1/f3")).toBe(false);
    expect(out.changes).toContainEqual(expect.objectContaining({ id: "earlier/run-1/f9", action: "added", reason: "accepted failure of earlier run run-1" }));
    expect(out.changes.filter((c) => c.id === "p1")).toEqual([]);
    expect(out.changes.filter((c) => c.id === "p3")).toEqual([{ id: "p3", action: "relabeled", from: "B", to: "A", reason: "earlier run run-1 accepted this label as gold" }]);
    expect(out.lineage.why).toContain("1 failures earlier runs accepted added as gold (weight 2): what those runs taught this model");
    expect(out.lineage.why).toContain("2 pool examples earlier runs accepted as gold kept with that label (weight 2; 1 relabeled back to it), exempt from cleaning");
    expect(out.lineage.why.some((w) => w.includes("confident learning"))).toBe(false);
    expectLineageMatches(4, out);
  });

  it("replays earlier runs' lessons whatever the replay share", () => {
    const pool = Array.from({ length: 20 }, (_, i) => ex(`q${i}`, i % 2 ? "A" : "B"));
    const earlierGold = pool.slice(0, 5).map((e) => ({ ...e, id: `earlier/run-1/${e.id}`, stage: "run-1" }));
    const out = curate(input({ pool, poolIssues: new Map(), earlierGold, plan: { replay_share: 0.1 } }));
    const ids = new Set(out.examples.map((e) => e.id));
    for (const e of pool.slice(0, 5)) expect(ids.has(e.id)).toBe(true);
    expectLineageMatches(20, out);
  });

  it("takes a trained model's confident opinion before confident learning's, and ignores unsure ones", () => {
    const modelOpinions = new Map([
      ["p3", { label: "A", confidence: 0.95 }], // confident disagreement: relabel B -> A
      ["p4", { label: "A", confidence: 0.6 }], // unsure: keep
      ["p2", { label: "C", confidence: 0.99 }], // overrides the unsure CL suggestion (would drop)
    ]);
    const out = curate(input({ modelOpinions, plan: { model_relabel_from: "parent" } }));
    const examples = byId(out.examples);
    expect(examples.get("p3")).toMatchObject({ label: "A" });
    expect(examples.get("p4")).toMatchObject({ label: "B" });
    expect(examples.get("p2")).toMatchObject({ label: "C" });
    expect(out.changes.find((c) => c.id === "p3")?.reason).toMatch(/parent model says "A" with p=0.95/);
    expect(out.lineage.relabeled).toBe(3); // p1 (confident learning), p2 and p3 (model)
  });

  it("uses relabel_min_prob as the threshold, inclusive", () => {
    expect(byId(curate(input({ plan: { relabel_min_prob: 0.3 } })).examples).get("p2")).toMatchObject({ label: "B" });
    expect(byId(curate(input({ plan: { relabel_min_prob: 0.81 } })).examples).has("p1")).toBe(false);
  });

  it("drops every flagged example with clean=drop and keeps them all with clean=none", () => {
    const dropped = byId(curate(input({ plan: { clean: "drop" } })).examples);
    expect([dropped.has("p1"), dropped.has("p2"), dropped.has("p3")]).toEqual([false, false, true]);
    const kept = curate(input({ plan: { clean: "none" } }));
    expect(byId(kept.examples).get("p1")).toMatchObject({ label: "A" });
    expect(byId(kept.examples).has("p2")).toBe(true);
    expect(kept.lineage).toMatchObject({ relabeled: 0, removed: 0 });
  });

  it("adds accepted failures as weighted gold with a failure/ prefix, and no rejected ones", () => {
    const out = curate(input({ plan: { failure_weight: 3 } }));
    const examples = byId(out.examples);
    expect(examples.get("failure/f1")).toMatchObject({ label: "A", weight: 3 });
    expect(examples.has("failure/f2")).toBe(false);
    expect(examples.has("f1")).toBe(false);
    expect(out.changes).toContainEqual(expect.objectContaining({ id: "failure/f1", action: "added", to: "A" }));
  });

  it("anchors the regression set with a regression/ prefix, or not at all", () => {
    const anchored = byId(curate(input({ plan: { anchor_weight: 4 } })).examples);
    expect(anchored.get("regression/r1")).toMatchObject({ label: "A", weight: 4 });
    expect(anchored.get("regression/r2")).toMatchObject({ label: "B", weight: 4 });
    const bare = curate(input({ plan: { anchor_regression: false } }));
    expect(bare.examples.some((e) => e.id.startsWith("regression/"))).toBe(false);
    expect(bare.lineage.added).toBe(1);
  });

  it("upweights hard negatives", () => {
    const out = curate(input({ hardNegativeIds: ["p3"], plan: { hard_negative_weight: 5 } }));
    expect(byId(out.examples).get("p3")).toMatchObject({ weight: 5 });
    expect(byId(out.examples).get("p4")?.weight).toBeUndefined();
    expect(out.changes).toContainEqual(expect.objectContaining({ id: "p3", action: "upweighted" }));
    expect(out.lineage.why).toContain("1 hard negatives upweighted (weight 5) near confusable pairs and new classes");
  });

  it("weights the neighbours of broken regression examples as anchors, replayed or not; a hard negative keeps its own weight", () => {
    const pool = Array.from({ length: 20 }, (_, i) => ex(`q${i}`, i % 2 ? "A" : "B"));
    const out = curate(input({ pool, poolIssues: new Map(), seed: 1, anchorNeighbourIds: ["q1", "q3", "q5"], hardNegativeIds: ["q5"], plan: { replay_share: 0, anchor_weight: 3, hard_negative_weight: 2, emphasize_ids: ["r1"], emphasize_weight: 6 } }));
    const examples = byId(out.examples);
    expect(examples.get("q1")).toMatchObject({ weight: 3 });
    expect(examples.get("q3")).toMatchObject({ weight: 3 });
    expect(examples.get("q5")).toMatchObject({ weight: 2 });
    expect(examples.has("q2")).toBe(false);
    expect(examples.get("regression/r1")).toMatchObject({ weight: 6 });
    expect(examples.get("regression/r2")).toMatchObject({ weight: 3 });
    expect(out.lineage.why).toContain("2 pool examples nearest the broken regression examples, of their label, weighted 3");
    expect(out.lineage.why).toContain("1 hard negatives upweighted (weight 2) near confusable pairs and new classes");
    expectLineageMatches(20, out);
  });

  it("replays a seeded share of the cleaned pool, the same for the same seed", () => {
    const pool = Array.from({ length: 20 }, (_, i) => ex(`q${i}`, i % 2 ? "A" : "B"));
    const run = (seed: number) => curate(input({ pool, poolIssues: new Map(), seed, plan: { replay_share: 0.3 } }));
    const poolIds = (r: ReturnType<typeof curate>) => r.examples.filter((e) => e.id.startsWith("q")).map((e) => e.id);
    const first = run(1);
    expect(poolIds(first)).toHaveLength(6);
    expect(poolIds(run(1))).toEqual(poolIds(first));
    // Another seed draws another sample (of the 38760 possible ones).
    expect(poolIds(run(2))).not.toEqual(poolIds(first));
    expect(first.lineage).toMatchObject({ replayed: 6, removed: 14, replay_share: 0.3 });
    expect(first.lineage.why).toContain("6 of 20 cleaned pool examples replayed (30%)");
    expectLineageMatches(20, first);
  });

  it("keeps hard negatives that the replay sample left out, and counts them as kept", () => {
    const pool = Array.from({ length: 20 }, (_, i) => ex(`q${i}`, i % 2 ? "A" : "B"));
    const out = curate(input({ pool, poolIssues: new Map(), seed: 1, hardNegativeIds: pool.map((e) => e.id), plan: { replay_share: 0.3 } }));
    expect(out.examples.filter((e) => e.id.startsWith("q"))).toHaveLength(20);
    expect(out.examples.filter((e) => e.id.startsWith("q")).every((e) => e.weight === 2)).toBe(true);
    expect(out.lineage).toMatchObject({ replayed: 20, removed: 0 });
    expect(out.lineage.why).toContain("20 of 20 cleaned pool examples replayed (30%, upweighted examples included)");
    expectLineageMatches(20, out);
  });

  it("writes lineage counts and why lines that match the changes", () => {
    const out = curate(input({ hardNegativeIds: ["p3"] }));
    expect(out.lineage).toMatchObject({ added: 3, removed: 1, relabeled: 1, replayed: 3 });
    expect(out.lineage.why).toEqual([
      "1 pool labels corrected: confident learning found a likelier label",
      "1 pool examples dropped: suspected label errors without a confident replacement",
      "1 accepted failures added as gold (weight 2)",
      "1 hard negatives upweighted (weight 2) near confusable pairs and new classes",
      "2 regression examples added as anchors (weight 2)",
    ]);
    expect(out.examples.map((e) => e.id)).toEqual(["p1", "p3", "p4", "failure/f1", "regression/r1", "regression/r2"]);
    expectLineageMatches(4, out);
  });

  it("retypes confidently flagged entities of a token example and leaves boundary suggestions alone", () => {
    const retyped: TokenExample = { id: "s1", tokens: ["Ada", "Lovelace", "wrote"], tags: ["B-location", "I-location", "O"] };
    const boundary: TokenExample = { id: "s2", tokens: ["in", "Paris", "now"], tags: ["O", "O", "O"] };
    const unsure: TokenExample = { id: "s3", tokens: ["Rome", "is", "far"], tags: ["B-person", "O", "O"] };
    const tokenIssue = (id: string, index: number, tag: string, suggested: string, suggested_prob: number): LabelIssue => ({
      id,
      is_issue: true,
      label_quality: 0.1,
      token_issues: [{ index, tag, suggested, suggested_prob, label_quality: 0.1 }],
    });
    const anchors: TokenExample[] = [
      { id: "r1", tokens: ["hi", "there"], tags: ["O", "O"] },
      { id: "r2", tokens: ["see", "Bob"], tags: ["O", "B-person"] },
    ];
    const out = curate({
      pool: [retyped, boundary, unsure],
      poolIssues: new Map([
        ["s1", tokenIssue("pool/s1", 1, "I-location", "I-person", 0.9)],
        ["s2", tokenIssue("pool/s2", 1, "O", "B-location", 0.95)],
        ["s3", tokenIssue("pool/s3", 0, "B-person", "B-location", 0.3)],
      ]),
      failures: [],
      accepted: new Set(),
      regression: anchors,
      hardNegativeIds: [],
      plan: CurationPlan.parse({ relabel_min_prob: 0.7, plain_anchor_weight: 1 }),
      seed: 0,
    });
    expect(out.examples).toEqual([
      { ...retyped, tags: ["B-person", "I-person", "O"] },
      boundary,
      unsure,
      { ...anchors[0], id: "regression/r1", weight: 1 },
      { ...anchors[1], id: "regression/r2", weight: 2 },
    ]);
    expect(out.changes.map((c) => [c.id, c.action])).toEqual([["s1", "relabeled"]]);
  });

  it("drops flagged token examples when the plan says drop", () => {
    const sentence: TokenExample = { id: "s1", tokens: ["Ada", "wrote"], tags: ["B-location", "O"] };
    const out = curate({
      pool: [sentence],
      poolIssues: new Map([["s1", { id: "pool/s1", is_issue: true, label_quality: 0.1, token_issues: [{ index: 0, tag: "B-location", suggested: "B-person", suggested_prob: 0.9, label_quality: 0.1 }] }]]),
      failures: [],
      accepted: new Set(),
      regression: [],
      hardNegativeIds: [],
      plan: CurationPlan.parse({ clean: "drop", anchor_regression: false }),
      seed: 0,
    });
    expect(out.examples).toEqual([]);
    expect(out.changes.map((c) => [c.id, c.action])).toEqual([["s1", "removed"]]);
  });
});

describe("repairBio", () => {
  it("turns an I- tag that does not continue its entity into B-", () => {
    expect(repairBio(["I-X", "I-X", "O", "I-Y", "B-X", "I-Y"])).toEqual(["B-X", "I-X", "O", "B-Y", "B-X", "B-Y"]);
  });

  it("leaves valid IOB2 alone", () => {
    const valid = ["B-X", "I-X", "I-X", "O", "B-Y", "B-Y", "I-Y"];
    expect(repairBio(valid)).toEqual(valid);
  });
});
