import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../lib/repo-root.ts";
import { ModelRegistry } from "../trainer/registry.ts";

/** `pioneer train --kind generation`, `eval` and `predict` on the packaged decoder student: made-up
 * codes the base model cannot know, learnt with rationale targets in 40 LoRA steps. */
let dir: string;
let registry: string;
const CODES = { blicket: "7", dax: "12", wug: "30" };
const question = (w: string) => `What is the code of ${w}?`;

function pioneer(args: string[]) {
  return execa("node", [join(REPO_ROOT, "cli", "bin.js"), ...args], { reject: false, env: { PIONEER_REGISTRY: registry, PIONEER_THREADS: "2" } });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pioneer-generation-"));
  registry = join(dir, "registry");
});

describe("pioneer train --kind generation", () => {
  it("trains on rationales that reach their answers, rejects the one that does not, and eval scores exact match", async () => {
    const train = join(dir, "train.jsonl");
    await writeFile(train, [
      ...Object.entries(CODES).map(([w, c]) => ({ text: question(w), target: c, rationale: `The code of ${w} is ${c}.` })),
      { text: question("zorp"), target: "9", rationale: "The code of zorp is unknown." },
    ].map((r) => `${JSON.stringify(r)}\n`).join(""));
    const trained = await pioneer(["train", "--kind", "generation", "--data", train, "--out", join(dir, "m"), "--targets", "rationale", "--answer", "number",
      "--max-steps", "40", "--lr", "0.002", "--batch-size", "3", "--max-new-tokens", "24", "--json"]);
    expect(trained.exitCode, trained.stderr).toBe(0);
    expect(trained.stderr).toContain(`1 of 4 examples rejected for --targets rationale (first: ${train}:4: field "rationale": its last line does not state the answer "9")`);
    const manifest = JSON.parse(trained.stdout) as { id: string; task_kind: string; hyperparameters: { targets: string; rejected: number } };
    expect(manifest).toMatchObject({ task_kind: "generation", hyperparameters: { targets: "rationale", rejected: 1 } });
    expect((await new ModelRegistry(registry).get(manifest.id)).base_model).toBe("smollm2");
    expect((await readFile(join(dir, "m", "data", "train.jsonl"), "utf8")).trim().split("\n").map((l) => (JSON.parse(l) as { target: string }).target))
      .toEqual(Object.entries(CODES).map(([w, c]) => `The code of ${w} is ${c}.\n#### ${c}`));

    const test = join(dir, "test.jsonl");
    await writeFile(test, Object.entries(CODES).map(([w, c]) => `${JSON.stringify({ id: w, text: question(w), target: c })}\n`).join(""));
    const evaluated = await pioneer(["eval", "--model", manifest.id, "--data", test, "--json"]);
    expect(evaluated.exitCode, evaluated.stderr).toBe(0);
    const scores = JSON.parse(evaluated.stdout) as { kind: string; exact_match: number; n: number; correct: boolean[]; extractor: string; outputs: { id: string; output: string }[]; generated_tokens_per_s: number };
    expect(scores).toMatchObject({ kind: "generation", exact_match: 1, n: 3, correct: [true, true, true], extractor: "number" });
    expect(scores.outputs.find((o) => o.id === "dax")?.output).toBe("The code of dax is 12.\n#### 12");
    expect(scores.generated_tokens_per_s).toBeGreaterThan(0);

    const inputs = join(dir, "inputs.jsonl");
    await writeFile(inputs, `${JSON.stringify({ id: "q", text: question("wug") })}\n`);
    const predicted = await pioneer(["predict", "--model", manifest.id, "--data", inputs, "--out", join(dir, "out.jsonl")]);
    expect(predicted.exitCode, predicted.stderr).toBe(0);
    expect(JSON.parse(await readFile(join(dir, "out.jsonl"), "utf8"))).toEqual({ id: "q", output: "The code of wug is 30.\n#### 30" });

    // Self targets: the trained student's own sampled outputs that reach the gold answer.
    const self = await pioneer(["train", "--kind", "generation", "--data", train, "--out", join(dir, "self"), "--targets", "self", "--self-from", manifest.id, "--samples", "2", "--answer", "number",
      "--max-steps", "2", "--max-new-tokens", "24", "--json"]);
    expect(self.exitCode, self.stderr).toBe(0);
    const selfManifest = JSON.parse(self.stdout) as { hyperparameters: { targets: string; self_from: string; self_samples: number; self_reached: number; rejected: number } };
    expect(selfManifest.hyperparameters).toMatchObject({ targets: "self", self_from: manifest.id, self_samples: 8 });
    const selfRows = (await readFile(join(dir, "self", "data", "train.jsonl"), "utf8")).trim().split("\n").map((l) => JSON.parse(l) as { text: string; target: string });
    expect(selfRows.length + selfManifest.hyperparameters.rejected).toBe(4);
    expect(selfRows.length).toBeGreaterThanOrEqual(2);
    const gold = new Map<string, string>([...Object.entries(CODES).map(([w, c]) => [question(w), c] as const), [question("zorp"), "9"]]);
    for (const row of selfRows) expect(row.target.endsWith(`\n#### ${gold.get(row.text)}`)).toBe(true);
  }, 400_000);

  it("asks for the model to sample self-rationales from", async () => {
    const result = await pioneer(["train", "--kind", "generation", "--data", join(dir, "train.jsonl"), "--out", join(dir, "no-self"), "--targets", "self"]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("--targets self needs --self-from MODEL");
  });

  it("refuses an example without an output, naming file, line and field", async () => {
    const bad = join(dir, "bad.jsonl");
    await writeFile(bad, `${JSON.stringify({ text: "a?", target: "a" })}\n${JSON.stringify({ text: "b?", rationale: "b because" })}\n`);
    const result = await pioneer(["train", "--kind", "generation", "--data", bad, "--out", join(dir, "bad-model")]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`${bad}:2: field "target": missing; every generation example needs its output`);
  });
});
