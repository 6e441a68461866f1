import { existsSync } from "node:fs";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { beforeAll, describe, expect, it } from "vitest";
import { datasetPath } from "../data/shared-datasets.ts";
import { REPO_ROOT } from "../lib/repo-root.ts";

/** `pioneer cold-start --kind token` on a real restaurant8k slice: the zero-shot tagger, a student on
 * the seeds, self-training on the traffic; registered, promoted and usable by `eval`. */
const TASK = "A restaurant booking assistant: find the date, the time, the number of people, and the guest's first name and last name in each message.";
const TYPES = "date,time,people,first_name,last_name";
type Row = { text: string; tokens: string[]; tags: string[] };
let dir: string;
let seedsPath: string;
let evalPath: string;
let trafficPath: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pioneer-cold-start-token-"));
  const read = async (split: string) => (await readFile(datasetPath("restaurant8k", split), "utf8")).trim().split("\n").map((l) => JSON.parse(l) as Row);
  const train = await read("train");
  const seeds = TYPES.split(",").flatMap((type) => train.filter((r) => r.tags.includes(`B-${type}`)).slice(0, 2));
  seedsPath = join(dir, "seeds.jsonl");
  await writeFile(seedsPath, seeds.map((r, i) => `${JSON.stringify({ id: `seed-${i}`, tokens: r.tokens, tags: r.tags })}\n`).join(""));
  evalPath = join(dir, "eval.jsonl");
  await writeFile(evalPath, (await read("test")).filter((_, i) => i % 60 === 0).map((r, i) => `${JSON.stringify({ id: `test-${i}`, tokens: r.tokens, tags: r.tags })}\n`).join(""));
  trafficPath = join(dir, "traffic.jsonl");
  await writeFile(trafficPath, train.filter((_, i) => i % 80 === 7).map((r) => `${JSON.stringify({ text: r.text })}\n`).join(""));
});

function pioneer(args: string[]) {
  return execa("node", [join(REPO_ROOT, "cli", "bin.js"), ...args], { reject: false, env: { PIONEER_REGISTRY: join(dir, "registry"), PIONEER_THREADS: "1" } });
}

describe("pioneer cold-start --kind token", () => {
  it("turns entity types, a few tagged seeds and real traffic into a promoted tagger that eval accepts", async () => {
    const runDir = join(dir, "run");
    const result = await pioneer(["cold-start", "--kind", "token", "--task", TASK, "--labels", TYPES, "--examples", seedsPath, "--unlabeled", trafficPath, "--pseudo-per-label", "4", "--eval", evalPath, "--run-dir", runDir, "--json"]);
    expect(result.exitCode, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout.trim().split("\n").at(-1)!) as { kind: string; promoted: string; metrics: { f1: number; n: number }; candidates: { method: string; round: number; id: string; metrics: { f1: number } }[]; examples: Record<string, { kept: number; dropped: number }> };
    expect(out.kind).toBe("token");
    expect(out.candidates.map((c) => c.method)).toEqual(["zero-shot", "seeds", "student"]);
    expect(out.metrics.n).toBe(63);
    const best = out.candidates.reduce((a, c) => (c.metrics.f1 > a.metrics.f1 ? c : a));
    expect(out.promoted).toBe(best.id);
    expect(out.candidates[1]!.metrics.f1).toBeGreaterThan(0.15); // ten tagged sentences already find some entities
    const traffic = (await readFile(trafficPath, "utf8")).trim().split("\n").length;
    expect(out.examples.seeds).toEqual({ kept: 10, dropped: 0 });
    // Four sentences a type and four without an entity at most, each counted once.
    expect(out.examples.pseudo_labels!.kept).toBeGreaterThan(4);
    expect(out.examples.pseudo_labels!.kept).toBeLessThanOrEqual(6 * 4);
    expect(out.examples.pseudo_labels!.kept + out.examples.pseudo_labels!.dropped).toBe(traffic);

    const spec = JSON.parse(await readFile(join(runDir, "task-spec.json"), "utf8")) as { kind: string; types: { name: string; definition: string; phrasings: string[] }[] };
    expect(spec.kind).toBe("token");
    expect(spec.types.find((t) => t.name === "first_name")).toMatchObject({ definition: "first name" });
    expect(spec.types.find((t) => t.name === "first_name")!.phrasings).toContain("the guest's first name");
    const lineage = (await readFile(join(runDir, "data", "lineage.jsonl"), "utf8")).trim().split("\n").map((l) => JSON.parse(l) as { source: string; tokens: string[]; tags: string[]; why: string });
    const pseudo = lineage.filter((r) => r.source === "pseudo-label");
    expect(pseudo).toHaveLength(out.examples.pseudo_labels!.kept);
    // The better of the zero-shot tagger and the seeds' student labels the traffic.
    const teacher = out.candidates[1]!.metrics.f1 > out.candidates[0]!.metrics.f1 ? "the student" : "the zero-shot tagger";
    expect(pseudo.every((r) => r.tokens.length === r.tags.length && r.why.startsWith(`round 1: pseudo-label (${teacher}; `))).toBe(true);
    expect(pseudo.some((r) => r.why.includes("no entity"))).toBe(true);
    expect(await readFile(join(runDir, "report.md"), "utf8")).toContain("| seeds");
    const html = await readFile(join(runDir, "report.html"), "utf8");
    expect([...html.matchAll(/<figure class="plot" data-plot="([^"]+)"><svg/g)].map((m) => m[1])).toEqual(["candidates"]);
    expect(html).toContain(`<td>${out.promoted}</td>`);

    const evaluated = await pioneer(["eval", "--model", out.promoted, "--data", evalPath, "--json"]);
    expect(evaluated.exitCode, evaluated.stderr).toBe(0);
    expect((JSON.parse(evaluated.stdout) as { f1: number }).f1).toBeCloseTo(out.metrics.f1, 6);
  }, 900_000); // 396 s measured on a slow day

  it("refuses a seed tag of a type the task does not have, naming file, line and field, and writes nothing", async () => {
    const seeds = join(dir, "bad-seeds.jsonl");
    await writeFile(seeds, `${JSON.stringify({ tokens: ["at", "7"], tags: ["O", "B-time"] })}\n${JSON.stringify({ tokens: ["in", "Paris"], tags: ["O", "B-city"] })}\n`);
    const runDir = join(dir, "refused");
    const result = await pioneer(["cold-start", "--kind", "token", "--task", TASK, "--labels", TYPES, "--examples", seeds, "--run-dir", runDir]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`${seeds}:2: field "tags": "B-city" tags a type that is not one of the task's entity types`);
    expect(existsSync(runDir)).toBe(false);
  });

  it("says which classification flags a token task has no use for", async () => {
    const result = await pioneer(["cold-start", "--kind", "token", "--task", TASK, "--labels", TYPES, "--oos-label", "none", "--run-dir", join(dir, "oos")]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("--oos-label is for classification");
  });
});
