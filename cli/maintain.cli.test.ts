import { mkdtemp, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../lib/repo-root.ts";
import { bankingSlice } from "../test-support/slices.ts";
import { trainModel } from "../trainer/launcher.ts";

/** `pioneer maintain` refuses bad input before any training, naming file, line and field. */
let dir: string;
let model: string;
let train: string;

beforeAll(async () => {
  const slice = await bankingSlice();
  dir = slice.dir;
  train = slice.train;
  model = (await trainModel({ kind: "classification", train_path: slice.train, out_dir: join(dir, "v0"), strategy: "head", max_steps: 2, threads: 1 })).modelDir;
});

async function maintain(failures: string, regression = train) {
  const registry = await mkdtemp(join(tmpdir(), "pioneer-registry-"));
  const runDir = join(dir, `run-${Math.random().toString(16).slice(2)}`);
  const result = await execa(
    "node",
    [join(REPO_ROOT, "cli", "bin.js"), "maintain", "--model", model, "--train", train, "--regression", regression, "--failures", failures, "--run-dir", runDir, "--json"],
    { reject: false, env: { PIONEER_REGISTRY: registry, PIONEER_THREADS: "1" } },
  );
  return { ...result, registry, runDir };
}

describe("pioneer maintain: bad input", () => {
  it("rejects a failure label outside the label set and promotes nothing", async () => {
    const failures = join(dir, "failures-typo.jsonl");
    await writeFile(failures, `${JSON.stringify({ text: "where is my card", label: "card_arival" })}\n`);
    const result = await maintain(failures);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("failures-typo.jsonl:1");
    expect(result.stderr).toContain('field "label"');
    expect(existsSync(join(result.registry, "pointer.json"))).toBe(false);
    expect(existsSync(join(result.runDir, "report.json"))).toBe(false);
  });

  it("rejects an empty failures file and duplicate ids", async () => {
    const empty = join(dir, "empty.jsonl");
    await writeFile(empty, "");
    expect((await maintain(empty)).stderr).toContain("empty.jsonl");
    const dup = join(dir, "dup.jsonl");
    await writeFile(dup, ['{"id":"a","text":"x y","label":"l"}', '{"id":"a","text":"z w","label":"l"}'].join("\n"));
    const result = await maintain(dup);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/dup\.jsonl:2.*"id"/);
  });
});
