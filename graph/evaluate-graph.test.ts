import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { trainModel } from "../trainer/launcher.ts";
import { bankingSlice } from "../test-support/slices.ts";
import { graph } from "./evaluate-graph.ts";

describe("evaluate graph", () => {
  it("scores a real model through the compiled LangGraph graph", async () => {
    const slice = await bankingSlice();
    const { modelDir } = await trainModel({ kind: "classification", train_path: slice.train, out_dir: join(slice.dir, "m"), strategy: "head", epochs: 20, threads: 1 });
    const out = await graph.invoke({ model_dir: modelDir, data_path: slice.test });
    expect(out.metrics).toMatchObject({ n: 16 });
    expect(out.metrics?.accuracy as number).toBeGreaterThan(0.5);
    expect(out.report).toContain("accuracy");
  });

  it("rejects a missing model directory with a clear message", async () => {
    await expect(graph.invoke({ model_dir: "/no/model", data_path: "/no/data.jsonl" })).rejects.toThrow(/pioneer.json/);
  });
});
