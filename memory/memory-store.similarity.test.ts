// Similarity through real MiniLM embeddings: one WorkerServer for the whole file.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { WorkerServer } from "../trainer/serve-client.ts";
import { WorkerEmbedder } from "./embedder.ts";
import { MemoryStore } from "./memory-store.ts";
import { example, experiment, failure } from "./test-records.ts";

let server: WorkerServer;
let embedder: WorkerEmbedder;
let dir: string;
let store: MemoryStore;

beforeAll(async () => {
  server = await WorkerServer.start({ threads: 1 });
  embedder = new WorkerEmbedder(server);
  dir = await mkdtemp(join(tmpdir(), "pioneer-memory-sim-"));
  store = await MemoryStore.open(dir, embedder);
});
afterAll(async () => {
  store?.close();
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const dot = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * (b[i] ?? 0), 0);

describe("WorkerEmbedder on the real worker", () => {
  it("gives unit-length 384-dim vectors and does not re-embed a text it has seen", async () => {
    const spy = vi.spyOn(server, "embed");
    try {
      const [a, b, a2] = await embedder.embed(["lost my card yesterday", "exchange rate for euros", "lost my card yesterday"]);
      const [a3, c] = await embedder.embed(["lost my card yesterday", "cancel my transfer"]);
      expect(spy.mock.calls.map((call) => call[0])).toEqual([["lost my card yesterday", "exchange rate for euros"], ["cancel my transfer"]]);
      expect(a).toHaveLength(384);
      expect(dot(a!, a!)).toBeCloseTo(1, 3);
      expect(a2).toEqual(a);
      expect(a3).toEqual(a);
      expect(dot(a!, b!)).toBeLessThan(0.9);
      expect(c).toHaveLength(384);
    } finally {
      spy.mockRestore();
    }
  });
});

describe("MemoryStore similarity", () => {
  it("finds the paraphrase of a card-delivery complaint above unrelated failures", async () => {
    await store.addFailures([
      failure({ id: "delivery", run_id: "old-run", input: "It's been two weeks and the card I ordered has not come yet", gold: "card_arrival" }),
      failure({ id: "pin", run_id: "old-run", input: "How do I change my PIN?", gold: "change_pin", cause: "coverage_gap" }),
      failure({ id: "coffee", run_id: "old-run", input: "I was charged twice for a coffee", gold: "transaction_charged_twice", cause: "wrong_feedback" }),
    ]);
    const query = "My new card still hasn't arrived, where is it?";
    const found = await store.similarFailures(query, { k: 3 });
    expect(found).toHaveLength(3);
    const [top, second] = found;
    expect(top?.id).toBe("delivery");
    expect(top!.similarity).toBeGreaterThan(0.5);
    expect(top!.similarity).toBeLessThanOrEqual(1);
    expect(top!.similarity - second!.similarity).toBeGreaterThan(0.15);
    expect(found.map((f) => f.similarity)).toEqual([...found.map((f) => f.similarity)].sort((x, y) => y - x));

    const [queryVector] = await embedder.embed([query]);
    expect((await store.similarFailures(queryVector!, { k: 1 })).map((f) => f.id)).toEqual(["delivery"]);
    expect((await store.similarFailures(query, { k: 1, cause: "coverage_gap" })).map((f) => f.id)).toEqual(["pin"]);
  });

  it("ranks past strategies: promoted and high-gain on similar failures first, unrelated ones left out", async () => {
    await store.addExperiment(experiment({ id: "best", verdict: "promoted", gain: 0.06, strategy: "lora+hard_negatives",
      failure_summary: "confusable_pair card_arrival->card_delivery_estimate x12; coverage_gap card_not_working x3" }));
    await store.addExperiment(experiment({ id: "small", verdict: "promoted", gain: 0.005, strategy: "head-only",
      failure_summary: "confusable_pair card_arrival->card_delivery_estimate x7" }));
    await store.addExperiment(experiment({ id: "regressed", verdict: "rejected", gain: 0.09, strategy: "full fine-tune lr 1e-4",
      failure_summary: "confusable_pair card_arrival->card_delivery_estimate x10; coverage_gap card_not_working x2" }));
    await store.addExperiment(experiment({ id: "unrelated", verdict: "promoted", gain: 0.3, strategy: "drop noisy labels",
      failure_summary: "garbled_input emoji-only messages x8; out_of_scope weather questions x5" }));

    const ranked = await store.strategiesForSimilarFailures("confusable_pair card_delivery_estimate->card_arrival x9; coverage_gap lost_or_stolen_card x2");
    expect(ranked.map((e) => e.id)).toEqual(["best", "small", "regressed"]);
    for (const e of ranked) {
      expect(e.similarity).toBeGreaterThanOrEqual(0.3);
      expect(e.score).toBeCloseTo(e.similarity * Math.max(e.gain, 0), 9);
    }
    expect(ranked[0]?.strategy).toBe("lora+hard_negatives");

    expect((await store.strategiesForSimilarFailures("confusable_pair card_delivery_estimate->card_arrival x9", { k: 1 })).map((e) => e.id)).toEqual(["best"]);
    expect(await store.strategiesForSimilarFailures("confusable_pair card_delivery_estimate->card_arrival x9", { minSimilarity: 0.99 })).toEqual([]);
  });

  it("finds a near-verbatim duplicate but neither a paraphrase nor an unrelated text", async () => {
    await store.addExamples([
      example({ id: "dup", data_version: "d1", input: "I still haven't received my new card", label: "card_arrival" }),
      example({ id: "para", data_version: "d1", input: "I haven't received my card yet", label: "card_arrival" }),
      example({ id: "weather", data_version: "d1", input: "how is the weather in Paris", label: "out_of_scope" }),
      example({ id: "dup-v2", data_version: "d2", input: "I still haven't received my new card", label: "card_arrival", source: "replay" }),
    ]);
    const [near, far] = await store.nearDuplicates(["I still have not received my new card.", "What time does the bank open on Sundays?"]);
    expect(near?.map((d) => d.id).sort()).toEqual(["dup", "dup-v2"]);
    for (const d of near ?? []) expect(d.similarity).toBeGreaterThanOrEqual(0.92);
    expect(near?.[0]).toMatchObject({ input: "I still haven't received my new card", label: "card_arrival" });
    expect(far).toEqual([]);

    const [onlyD2] = await store.nearDuplicates(["I still have not received my new card."], { dataVersion: "d2" });
    expect(onlyD2?.map((d) => [d.id, d.source])).toEqual([["dup-v2", "replay"]]);
    const [loose] = await store.nearDuplicates(["I still have not received my new card."], { dataVersion: "d1", threshold: 0.8 });
    expect(loose?.map((d) => d.id)).toEqual(["dup", "para"]);
    const [one] = await store.nearDuplicates(["I still have not received my new card."], { k: 1 });
    expect(one).toHaveLength(1);
  });
});
