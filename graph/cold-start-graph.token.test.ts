import { existsSync } from "node:fs";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { datasetPath } from "../data/shared-datasets.ts";
import { graph } from "./cold-start-graph.ts";
import type { TokenColdStartResult } from "../cold-start/run-token-cold-start.ts";

/** The cold_start graph with `kind: "token"`: from entity types alone to the zero-shot tagger,
 * registered and promoted, scored on a real restaurant8k slice. */
let dir: string;
let evalPath: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pioneer-cold-start-graph-token-"));
  evalPath = join(dir, "eval.jsonl");
  const rows = (await readFile(datasetPath("restaurant8k", "test"), "utf8")).trim().split("\n").filter((_, i) => i % 100 === 0);
  await writeFile(evalPath, rows.map((l, i) => { const r = JSON.parse(l) as { tokens: string[]; tags: string[] }; return `${JSON.stringify({ id: String(i), tokens: r.tokens, tags: r.tags })}\n`; }).join(""));
});

describe("the cold_start graph, token task", () => {
  it("turns entity types and a description into a promoted zero-shot tagger", async () => {
    const runDir = join(dir, "run");
    const state = await graph.invoke({ input: { task: "Find the date, time, number of people, first name and last name of a restaurant booking.", kind: "token", labels: ["date", "time", "people", "first_name", "last_name"], eval_path: evalPath, run_dir: runDir, registry_dir: join(dir, "registry"), threads: 1 } });
    expect(state.read).toMatchObject({ labels: 5, seeds: 0, eval: 38, traffic: null });
    expect(state.result).toMatchObject({ kind: "token", method: "zero-shot", evaluation: `real labeled data (${evalPath})`, entity_similarity: 0.2 });
    expect((state.result as TokenColdStartResult).metrics).toMatchObject({ n: 38 });
    expect(state.report).toContain("| zero-shot (promoted) |");
    const manifest = JSON.parse(await readFile(join(runDir, "models", "zero-shot", "pioneer.json"), "utf8")) as { kind: string; labels: string[] };
    expect(manifest).toMatchObject({ kind: "token", labels: ["O", "B-date", "I-date", "B-time", "I-time", "B-people", "I-people", "B-first_name", "I-first_name", "B-last_name", "I-last_name"] });
  }, 180_000);

  it("refuses the classification-only fields before writing anything", async () => {
    const runDir = join(dir, "refused");
    await expect(graph.invoke({ input: { task: "Find booking times.", kind: "token", labels: ["time"], oos_label: "none", run_dir: runDir, registry_dir: join(dir, "registry") } })).rejects.toThrow(/takes no oos_label/);
    expect(existsSync(runDir)).toBe(false);
  });
});
