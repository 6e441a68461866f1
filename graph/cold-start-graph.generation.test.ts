import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MemorySaver } from "@langchain/langgraph";
import { beforeAll, describe, expect, it } from "vitest";
import { buildColdStartGraph } from "./cold-start-graph.ts";

/** The cold_start graph's intake for generation tasks (the run itself is cli/cold-start.generation.slow.test.ts). */
let dir: string;
const graph = buildColdStartGraph().compile({ checkpointer: new MemorySaver(), interruptBefore: ["cold_start"] });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pioneer-cold-start-graph-generation-"));
  await writeFile(join(dir, "train.jsonl"), `${JSON.stringify({ text: "2 + 3?", target: "5", rationale: "2 + 3 = 5" })}\n${JSON.stringify({ text: "4 * 2?", target: "8" })}\n`);
  await writeFile(join(dir, "bad.jsonl"), `${JSON.stringify({ text: "2 + 3?", target: "5" })}\n${JSON.stringify({ text: "4 * 2?", target: "" })}\n`);
});

const run = (input: Record<string, unknown>, thread: string) => graph.invoke({ input: { task: "Solve sums.", kind: "generation", registry_dir: join(dir, "registry"), ...input } }, { configurable: { thread_id: thread } });

describe("the cold_start graph, generation task", () => {
  it("reads the examples and stops before training with the counts and the run folder", async () => {
    const state = await run({ examples_path: join(dir, "train.jsonl"), answer: "number", targets: ["answer", "rationale"], tries: 1, fine_tune: { max_steps: 2 }, run_dir: join(dir, "run") }, "ok");
    expect(state.read).toEqual({ labels: 0, seeds: 2, eval: null, traffic: null, run_dir: join(dir, "run") });
    expect(state.result).toBeNull();
  });

  it("names the file, line and field of a bad example, and refuses other kinds' fields", async () => {
    await expect(run({ examples_path: join(dir, "bad.jsonl") }, "bad")).rejects.toThrow(`${join(dir, "bad.jsonl")}:2: field "target"`);
    await expect(run({ examples_path: join(dir, "train.jsonl"), labels: ["a"] }, "labels")).rejects.toThrow("labels is for classification and token tasks");
    await expect(run({}, "none")).rejects.toThrow("a generation task needs examples_path");
    await expect(graph.invoke({ input: { task: "t", labels: ["a", "b"], tries: 2 } }, { configurable: { thread_id: "kind" } })).rejects.toThrow("tries is for generation tasks (kind generation)");
    await expect(run({ examples_path: join(dir, "train.jsonl"), targets: ["cot"] }, "targets")).rejects.toThrow();
  });
});
