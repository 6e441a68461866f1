import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClassificationExample } from "../data/index.ts";
import { splitProductionLog, writeLogSplit } from "./production-log.ts";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pioneer-log-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** 100 queries: 40 out of scope the model calls "balance" (wrong), 30 right "balance", 20 right
 * "transfer", 10 "transfer" called "balance". */
function log(): ClassificationExample[] {
  const entry = (i: number, label: string, pred: string) => ({ id: `q${i}`, text: `query ${i}`, label, pred });
  return [
    ...Array.from({ length: 40 }, (_, i) => entry(i, "oos", "balance")),
    ...Array.from({ length: 30 }, (_, i) => entry(40 + i, "balance", "balance")),
    ...Array.from({ length: 20 }, (_, i) => entry(70 + i, "transfer", "transfer")),
    ...Array.from({ length: 10 }, (_, i) => entry(90 + i, "transfer", "balance")),
  ];
}

describe("splitProductionLog", () => {
  it("holds out a fifth of every (right or wrong, label) group as the production dev set; the rest are failures and regression examples", () => {
    const split = splitProductionLog(log(), { seed: 3 });
    expect(split.dev).toHaveLength(20);
    expect(split.dev.filter((e) => e.label === "oos")).toHaveLength(8);
    expect(split.dev.filter((e) => e.pred === e.label)).toHaveLength(10);
    expect(split.failures).toHaveLength(40);
    expect(split.failures.every((e) => e.pred !== e.label)).toBe(true);
    expect(split.regression).toHaveLength(40);
    expect(split.regression.every((e) => e.pred === e.label)).toBe(true);
    const all = [...split.dev, ...split.failures, ...split.regression].map((e) => e.id);
    expect(new Set(all).size).toBe(100);
    // Seeded: the same seed, the same split; another seed, another dev set; log order kept.
    expect(splitProductionLog(log(), { seed: 3 }).dev.map((e) => e.id)).toEqual(split.dev.map((e) => e.id));
    expect(splitProductionLog(log(), { seed: 4 }).dev.map((e) => e.id)).not.toEqual(split.dev.map((e) => e.id));
    expect(split.failures.map((e) => Number(e.id.slice(1)))).toEqual([...split.failures.map((e) => Number(e.id.slice(1)))].sort((a, b) => a - b));
  });
});

describe("writeLogSplit", () => {
  it("writes the three sets and the split's record into the run folder", async () => {
    const path = join(dir, "log.jsonl");
    await writeFile(path, log().map((e) => JSON.stringify(e)).join("\n"));
    const record = await writeLogSplit(path, join(dir, "run"), 3);
    expect(record).toMatchObject({ entries: 100, right: 50, failures: 40, regression: 40, dev: { n: 20, right: 10 }, seed: 3 });
    const lines = (await readFile(record.files.dev, "utf8")).trim().split("\n");
    expect(lines).toHaveLength(20);
    expect(JSON.parse(lines[0]!)).toHaveProperty("pred");
    expect(JSON.parse(await readFile(join(dir, "run", "log", "split.json"), "utf8"))).toEqual(record);
  });

  it("names the file, line and field of an entry without the model's prediction", async () => {
    const path = join(dir, "no-pred.jsonl");
    await writeFile(path, `${JSON.stringify({ text: "hi", label: "greet", pred: "greet" })}\n${JSON.stringify({ text: "where is my card", label: "card_arrival" })}\n`);
    await expect(writeLogSplit(path, join(dir, "run-2"), 0)).rejects.toThrow(`${path}:2: field "pred": is missing`);
  });
});
