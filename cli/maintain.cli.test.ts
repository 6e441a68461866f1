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

function pioneer(args: string[], registry: string) {
  return execa("node", [join(REPO_ROOT, "cli", "bin.js"), ...args], { reject: false, env: { PIONEER_REGISTRY: registry, PIONEER_THREADS: "1" } });
}

async function maintain(failures: string, regression = train, runDir = join(dir, `run-${Math.random().toString(16).slice(2)}`)) {
  const registry = await mkdtemp(join(tmpdir(), "pioneer-registry-"));
  const result = await pioneer(["maintain", "--model", model, "--train", train, "--regression", regression, "--failures", failures, "--run-dir", runDir, "--json"], registry);
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

describe("pioneer maintain: a run folder holds one run, bound to its registry", () => {
  it("refuses to resume a folder without a run, and creates nothing", async () => {
    const nowhere = join(dir, "no-run-here");
    const result = await pioneer(["maintain", "--resume", nowhere], await mkdtemp(join(tmpdir(), "pioneer-registry-")));
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`${nowhere} holds no maintain run to resume (no checkpoints)`);
    expect(existsSync(nowhere)).toBe(false);
  });

  it("refuses a second run in a used folder, and a resume against another registry", async () => {
    const failures = join(dir, "failures-typo-2.jsonl");
    await writeFile(failures, `${JSON.stringify({ text: "where is my card", label: "card_arival" })}\n`);
    const first = await maintain(failures);
    expect(first.exitCode).toBe(2); // stopped at intake, with its checkpoint written
    const again = await maintain(failures, train, first.runDir);
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toContain(`${first.runDir} already holds a maintain run; continue it with --resume ${first.runDir}`);
    const elsewhere = await mkdtemp(join(tmpdir(), "pioneer-registry-"));
    const resumed = await pioneer(["maintain", "--resume", first.runDir, "--registry", elsewhere], elsewhere);
    expect(resumed.exitCode).toBe(2);
    expect(resumed.stderr).toContain(`the run in ${first.runDir} belongs to the registry at ${first.registry}, where it started`);
  });

  it("prints its version", async () => {
    const result = await pioneer(["--version"], dir);
    expect(result.exitCode).toBe(0);
    expect(result.stdout.trim()).toMatch(/^pioneer \d+\.\d+\.\d+$/);
  });
});
