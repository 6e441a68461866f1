// Bookkeeping of the memory with a deterministic hash embedder: persistence, upserts, filters,
// escaping, validation. Similarity itself is tested with real embeddings in memory-store.similarity.test.ts.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Embedder } from "./embedder.ts";
import {
  InvalidMemoryQueryError,
  InvalidMemoryRecordError,
  MemoryDimensionMismatchError,
  VectorDimensionError,
} from "./memory-errors.ts";
import { MemoryStore } from "./memory-store.ts";
import { HashEmbedder } from "./test-embedder.ts";
import { example, experiment, failure } from "./test-records.ts";

let dir: string;
const open: MemoryStore[] = [];

async function openStore(embedder: Embedder = new HashEmbedder()): Promise<MemoryStore> {
  const store = await MemoryStore.open(dir, embedder);
  open.push(store);
  return store;
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "pioneer-memory-"));
});
afterEach(async () => {
  for (const store of open.splice(0)) store.close();
  await rm(dir, { recursive: true, force: true });
});

describe("MemoryStore bookkeeping", () => {
  it("keeps every table's rows when reopened, so memory outlives a run", async () => {
    const first = await openStore();
    expect(await first.counts()).toEqual({ failures: 0, experiments: 0, examples: 0 });
    await first.addFailures([failure()]);
    await first.addExperiment(experiment());
    await first.addExamples([example(), example({ id: "x2", input: "card never came" })]);
    first.close();

    const second = await openStore();
    expect(await second.counts()).toEqual({ failures: 1, experiments: 1, examples: 2 });
    const [f] = await second.failuresOfRun("run-1");
    expect(f).toEqual({ ...failure(), created_at: expect.any(String) });
    expect(Number.isNaN(Date.parse(f?.created_at ?? ""))).toBe(false);
    const [e] = await second.experimentsOfRun("run-1");
    expect(e).toEqual({ ...experiment(), created_at: expect.any(String) });
    expect(e?.data_delta.by_source).toEqual({ hard_negative: 40 });
    expect(await second.failuresOfRun("run-2")).toEqual([]);
  });

  it("upserts by id: the same id again replaces its row instead of adding one", async () => {
    const store = await openStore();
    await store.addFailures([failure({ id: "f1", prediction: "old" })]);
    expect(await store.addFailures([failure({ id: "f1", prediction: "new", accepted: true }), failure({ id: "f2" })])).toBe(2);
    expect(await store.addFailures([failure({ id: "f3", gold: "first" }), failure({ id: "f3", gold: "last" })])).toBe(1);
    expect((await store.counts()).failures).toBe(3);
    const byId = new Map((await store.failuresOfRun("run-1")).map((f) => [f.id, f]));
    expect(byId.get("f1")).toMatchObject({ prediction: "new", accepted: true });
    expect(byId.get("f3")?.gold).toBe("last");

    await store.addExperiment(experiment({ verdict: "rejected" }));
    await store.addExperiment(experiment({ verdict: "promoted", gain: 0.07 }));
    await store.addExamples([example({ label: "a" })]);
    await store.addExamples([example({ label: "b" })]);
    expect(await store.counts()).toEqual({ failures: 3, experiments: 1, examples: 1 });
    expect((await store.experimentsOfRun("run-1"))[0]).toMatchObject({ verdict: "promoted", gain: 0.07 });
  });

  it("stores token-task tokens and tags joined with single spaces, and a missing confidence as null", async () => {
    const store = await openStore();
    const { confidence: _omitted, ...noConfidence } = failure();
    await store.addFailures([{ ...noConfidence, input: ["Taylor", "Swift", "sang"], gold: ["B-person", "I-person", "O"], prediction: ["B-person", "O", "O"] }]);
    await store.addExamples([example({ input: ["Paris", "rocks"], label: ["B-location", "O"] })]);
    const [f] = await store.failuresOfRun("run-1");
    expect(f).toMatchObject({ input: "Taylor Swift sang", gold: "B-person I-person O", prediction: "B-person O O", confidence: null });
    const [dups] = await store.nearDuplicates(["Paris rocks"], { threshold: 0.99 });
    expect(dups?.map((d) => d.label)).toEqual(["B-location O"]);
  });

  it("reads every row of a run, not only a first page", async () => {
    const store = await openStore();
    await store.addFailures(Array.from({ length: 25 }, (_, i) => failure({ id: `f${i}`, input: `text ${i}` })));
    await store.addFailures([failure({ id: "other", run_id: "run-2" })]);
    expect(await store.failuresOfRun("run-1")).toHaveLength(25);
    expect((await store.failuresOfRun("run-2")).map((f) => f.id)).toEqual(["other"]);
  });

  it("lists accepted failures diagnosed on given model versions, leaving out a run", async () => {
    const store = await openStore();
    await store.addFailures([
      failure({ id: "on-v1", run_id: "run-1", model_version: "v1", accepted: true }),
      failure({ id: "rejected", run_id: "run-1", model_version: "v1", accepted: false }),
      failure({ id: "on-v2", run_id: "run-2", model_version: "v2", accepted: true }),
      failure({ id: "other-lineage", run_id: "run-3", model_version: "w1", accepted: true }),
      failure({ id: "current", run_id: "run-4", model_version: "v2", accepted: true }),
      failure({ id: "quoted", run_id: "run-5", model_version: "v'1", accepted: true }),
    ]);
    const ids = async (versions: string[], excludeRunId?: string) =>
      (await store.acceptedFailuresOf(versions, excludeRunId ? { excludeRunId } : {})).map((f) => f.id).sort();
    expect(await ids(["v1", "v2"], "run-4")).toEqual(["on-v1", "on-v2"]);
    expect(await ids(["v1", "v2"])).toEqual(["current", "on-v1", "on-v2"]);
    expect(await ids(["v'1"])).toEqual(["quoted"]);
    expect(await ids([])).toEqual([]);
  });

  it("filters similar failures by cause and leaves out a run", async () => {
    const store = await openStore();
    const input = "card still not delivered";
    await store.addFailures([
      failure({ id: "a", run_id: "run-1", input, cause: "confusable_pair" }),
      failure({ id: "b", run_id: "run-2", input, cause: "coverage_gap" }),
      failure({ id: "c", run_id: "run-2", input, cause: "confusable_pair" }),
    ]);
    const ids = async (options: Parameters<MemoryStore["similarFailures"]>[1]) =>
      (await store.similarFailures(input, options)).map((f) => f.id).sort();
    expect(await ids({})).toEqual(["a", "b", "c"]);
    expect(await ids({ cause: "confusable_pair" })).toEqual(["a", "c"]);
    expect(await ids({ excludeRunId: "run-2" })).toEqual(["a"]);
    expect(await ids({ excludeRunId: "run-1", cause: "coverage_gap" })).toEqual(["b"]);
    expect(await ids({ k: 1 })).toHaveLength(1);
    const [top] = await store.similarFailures(input);
    expect(top?.similarity).toBeCloseTo(1, 5);
  });

  it("stores quotes and SQL in untrusted text as data and filters on them exactly", async () => {
    const store = await openStore();
    const evilRun = "run'; DROP TABLE failures; --";
    const evilInput = `it's "broken" \\' OR '1'='1'; DROP TABLE failures; --`;
    await store.addFailures([failure({ id: "evil", run_id: evilRun, input: evilInput, cluster: "o'clock" }), failure({ id: "plain", run_id: "run" })]);
    await store.addExamples([example({ id: "ex", data_version: evilRun, input: evilInput })]);

    const evil = await store.failuresOfRun(evilRun);
    expect(evil.map((f) => [f.id, f.input, f.cluster])).toEqual([["evil", evilInput, "o'clock"]]);
    expect((await store.failuresOfRun("run")).map((f) => f.id)).toEqual(["plain"]);
    expect(await store.failuresOfRun("run' OR '1'='1")).toEqual([]);
    expect((await store.similarFailures(evilInput, { excludeRunId: evilRun })).map((f) => f.id)).toEqual(["plain"]);
    expect((await store.nearDuplicates([evilInput], { dataVersion: evilRun }))[0]?.map((d) => d.id)).toEqual(["ex"]);
    expect(await store.nearDuplicates([evilInput], { dataVersion: "d1' OR '1'='1" })).toEqual([[]]);

    store.close();
    const reopened = await openStore();
    expect(await reopened.counts()).toEqual({ failures: 2, experiments: 0, examples: 1 });
  });

  it("refuses a memory built with another embedding size, and leaves it intact", async () => {
    const built = await openStore(new HashEmbedder(16));
    await built.addFailures([failure()]);
    built.close();

    const attempt = MemoryStore.open(dir, new HashEmbedder(32));
    await expect(attempt).rejects.toBeInstanceOf(MemoryDimensionMismatchError);
    await expect(attempt).rejects.toThrow(/16-dim.*32-dim/);
    expect(await (await openStore(new HashEmbedder(16))).counts()).toMatchObject({ failures: 1 });
  });

  it("rejects a bad record naming its field, and writes nothing of its batch", async () => {
    const store = await openStore();
    const bad = { ...failure({ id: "f2" }), cause: "bogus" } as unknown as Parameters<MemoryStore["addFailures"]>[0][number];
    const adding = store.addFailures([failure(), bad]);
    await expect(adding).rejects.toBeInstanceOf(InvalidMemoryRecordError);
    await expect(adding).rejects.toThrow(/failures record #1: cause:/);
    const noAdded = { ...experiment(), data_delta: { removed: 0, relabeled: 0, why: "x" } } as unknown as Parameters<MemoryStore["addExperiment"]>[0];
    await expect(store.addExperiment(noAdded)).rejects.toThrow(/data_delta\.added/);
    await expect(store.addExamples([example({ source: "scraped" as "original" })])).rejects.toThrow(/examples record #0: source:/);
    expect(await store.counts()).toEqual({ failures: 0, experiments: 0, examples: 0 });
  });

  it("rejects vectors of the wrong size and bad query options", async () => {
    const store = await openStore(new HashEmbedder(16));
    await expect(store.similarFailures([1, 0, 0])).rejects.toBeInstanceOf(VectorDimensionError);
    await expect(store.similarFailures("x", { k: 0 })).rejects.toBeInstanceOf(InvalidMemoryQueryError);
    await expect(store.similarFailures("x", { cause: "nope" as "unknown" })).rejects.toThrow(/cause/);

    const liar: Embedder = { dim: 16, embed: async (texts) => texts.map(() => [1, 0, 0]) };
    const lied = await MemoryStore.open(join(dir, "other"), liar);
    open.push(lied);
    await expect(lied.addFailures([failure()])).rejects.toBeInstanceOf(VectorDimensionError);
    expect((await lied.counts()).failures).toBe(0);
  });
});
