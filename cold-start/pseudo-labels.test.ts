import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { selectPseudoLabels } from "./pseudo-labels.ts";
import { selfTrainingPool } from "./self-training.ts";
import { readUnlabeled } from "./unlabeled.ts";

const prediction = (id: string, probs: Record<string, number>) => {
  const [label, confidence] = Object.entries(probs).sort((a, b) => b[1] - a[1])[0]!;
  return [id, { id, label, confidence, probs }] as const;
};

describe("selectPseudoLabels", () => {
  it("keeps, per label, the messages with the widest margin, out-of-scope ones included", () => {
    const traffic = ["a", "b", "c", "d", "e"].map((id) => ({ id, text: `message ${id}` }));
    const predictions = new Map([
      prediction("a", { weather: 0.9, music: 0.05, oos: 0.05 }),
      prediction("b", { weather: 0.5, music: 0.45, oos: 0.05 }),
      prediction("c", { weather: 0.7, music: 0.2, oos: 0.1 }),
      prediction("d", { weather: 0.1, music: 0.6, oos: 0.3 }),
      prediction("e", { weather: 0.1, music: 0.1, oos: 0.8 }),
    ]);
    const { examples, dropped } = selectPseudoLabels(traffic, predictions, { perLabel: 2 });
    expect(examples.map((e) => [e.id, e.label])).toEqual([["pseudo/d", "music"], ["pseudo/e", "oos"], ["pseudo/a", "weather"], ["pseudo/c", "weather"]]);
    expect(examples[2]?.stage).toBe("pseudo-label (zero-shot margin 0.850)");
    expect(dropped).toBe(1);
  });
});

describe("selfTrainingPool", () => {
  it("adds the student's confident labels the zero-shot model agrees with, and keeps the pool's labels", () => {
    const traffic = ["a", "b", "c", "d"].map((id) => ({ id, text: `message ${id}` }));
    const student = new Map([
      prediction("a", { weather: 0.9, music: 0.1 }), // already in the pool
      prediction("b", { weather: 0.8, music: 0.2 }), // the zero-shot model agrees: added
      prediction("c", { weather: 0.1, music: 0.9 }), // the zero-shot model says weather: left out
      prediction("d", { weather: 0.45, music: 0.55 }),
    ]);
    const zeroShot = new Map([prediction("a", { weather: 0.6, music: 0.4 }), prediction("b", { weather: 0.7, music: 0.3 }), prediction("c", { weather: 0.6, music: 0.4 }), prediction("d", { weather: 0.4, music: 0.6 })]);
    const pool = [{ id: "pseudo/a", text: "message a", label: "music", stage: "pseudo-label (zero-shot margin 0.2)" }];
    const next = selfTrainingPool(pool, traffic, student, zeroShot, { perLabel: 2, round: 2 });
    expect(next.added.map((e) => [e.id, e.label])).toEqual([["pseudo/d", "music"], ["pseudo/b", "weather"]]);
    expect(next.added[1]?.stage).toBe("self-training round 2: pseudo-label (student margin 0.600), the zero-shot model agrees");
    expect(next.pool.map((e) => [e.id, e.label])).toEqual([["pseudo/a", "music"], ["pseudo/d", "music"], ["pseudo/b", "weather"]]);
  });
});

describe("readUnlabeled", () => {
  it("reads JSONL and CSV traffic, and names the line of a bad message", async () => {
    const dir = await mkdtemp(join(tmpdir(), "pioneer-traffic-"));
    const jsonl = join(dir, "t.jsonl");
    await writeFile(jsonl, '{"text":"hi there","user":7}\n\n{"id":"x","text":"play jazz"}\n');
    expect(await readUnlabeled(jsonl)).toEqual([{ id: "traffic:1", text: "hi there" }, { id: "x", text: "play jazz" }]);
    const csv = join(dir, "t.csv");
    await writeFile(csv, 'when,text\n1,"hello, world"\n2,rain today\n');
    expect((await readUnlabeled(csv)).map((m) => m.text)).toEqual(["hello, world", "rain today"]);
    const bad = join(dir, "bad.jsonl");
    await writeFile(bad, '{"text":"fine"}\n{"text":"   "}\n');
    await expect(readUnlabeled(bad)).rejects.toThrow(`${bad}:2: field "text": is only whitespace`);
    const noText = join(dir, "no-text.csv");
    await writeFile(noText, "message\nhello\n");
    await expect(readUnlabeled(noText)).rejects.toThrow(`${noText}:2: field "text": missing; every message needs its text`);
  });
});
