import { existsSync } from "node:fs";
import { appendFile, copyFile, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../lib/repo-root.ts";
import { bankingSlice, wnutSlice } from "../test-support/slices.ts";

/** The CLI as a user runs it: a separate process, exit codes, stdout and stderr. */
function pioneer(args: string[], registry: string) {
  return execa("node", [join(REPO_ROOT, "cli", "bin.js"), ...args], {
    reject: false,
    env: { PIONEER_REGISTRY: registry, PIONEER_THREADS: "1" },
  });
}

let slice: Awaited<ReturnType<typeof bankingSlice>>;
let registry: string;

beforeAll(async () => {
  slice = await bankingSlice();
  registry = await mkdtemp(join(tmpdir(), "pioneer-registry-"));
});

describe("pioneer train / eval / models", () => {
  it("trains, registers, evaluates with --json, promotes and rolls back", async () => {
    const first = await pioneer(["train", "--data", slice.train, "--strategy", "head", "--epochs", "20", "--out", join(slice.dir, "m1"), "--promote"], registry);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/model v0001-\w+ written to .*m1 \(promoted\)/);
    expect(first.stderr).toMatch(/train .*\] \d+\/\d+/); // the progress bar

    const evaluation = await pioneer(["eval", "--model", join(slice.dir, "m1"), "--data", slice.test, "--json"], registry);
    expect(evaluation.exitCode, evaluation.stderr).toBe(0);
    const metrics = JSON.parse(evaluation.stdout) as Record<string, unknown>;
    expect(metrics.version).toMatch(/^v0001-/);
    expect(metrics.n).toBe(16);
    expect(metrics.accuracy).toBeGreaterThan(0.5); // four intents, head trained for 20 epochs
    expect(typeof metrics.macro_f1).toBe("number");

    const second = await pioneer(["train", "--data", slice.train, "--strategy", "head", "--epochs", "1", "--seed", "1", "--out", join(slice.dir, "m2"), "--json"], registry);
    const v2 = JSON.parse(second.stdout) as { id: string };
    expect((await pioneer(["models", "promote", v2.id], registry)).stdout).toContain(`promoted ${v2.id}`);
    const listed = JSON.parse((await pioneer(["models", "list", "--json"], registry)).stdout) as { promoted: string; versions: unknown[] };
    expect(listed).toMatchObject({ promoted: v2.id });
    expect(listed.versions).toHaveLength(2);
    expect((await pioneer(["models", "rollback"], registry)).stdout).toMatch(/promoted is now v0001-/);
    const byId = await pioneer(["eval", "--model", v2.id, "--data", slice.test, "--json"], registry);
    expect(JSON.parse(byId.stdout)).toMatchObject({ version: v2.id });
  });

  it("reports a label unseen in training instead of crashing", async () => {
    const withNew = join(slice.dir, "test-new-label.jsonl");
    await copyFile(slice.test, withNew);
    await appendFile(withNew, `${JSON.stringify({ id: "new-1", text: "can I buy crypto with my card", label: "crypto_purchase" })}\n`);
    const result = await pioneer(["eval", "--model", join(slice.dir, "m1"), "--data", withNew, "--json"], registry);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ unseen_labels: ["crypto_purchase"], n: 17 });
  });

  it("names file, line and field for malformed input and trains nothing", async () => {
    const bad = join(slice.dir, "bad.jsonl");
    await writeFile(bad, '{"text":"fine","label":"a"}\n{"text":"no label here"}\n');
    const result = await pioneer(["train", "--data", bad, "--out", join(slice.dir, "never")], registry);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("bad.jsonl:2");
    expect(result.stderr).toContain('field "label"');
    const empty = join(slice.dir, "empty.csv");
    await writeFile(empty, "text,label\n");
    const emptyResult = await pioneer(["train", "--data", empty, "--out", join(slice.dir, "never")], registry);
    expect(emptyResult.exitCode).toBe(2);
    expect(emptyResult.stderr).toContain("empty.csv");
  });

  it("trains from CSV with a header", async () => {
    const csv = join(slice.dir, "train.csv");
    const rows = slice.examples.map((e) => ("text" in e ? `"${e.text.replace(/"/g, '""')}",${e.label}` : ""));
    await writeFile(csv, `text,label\n${rows.join("\n")}\n`);
    const result = await pioneer(["train", "--data", csv, "--strategy", "head", "--epochs", "1", "--out", join(slice.dir, "csv-model"), "--json"], registry);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ task_kind: "classification", labels: expect.any(Array) });
  });

  it("evaluates token classification with entity-level F1", async () => {
    const wnut = await wnutSlice(32);
    const trained = await pioneer(["train", "--data", wnut.train, "--kind", "token", "--strategy", "full", "--epochs", "1", "--out", join(wnut.dir, "tagger")], registry);
    expect(trained.exitCode, trained.stderr).toBe(0);
    const result = await pioneer(["eval", "--model", join(wnut.dir, "tagger"), "--data", wnut.train, "--json"], registry);
    const metrics = JSON.parse(result.stdout) as Record<string, number>;
    expect(metrics.entity_f1).toBeGreaterThanOrEqual(0);
    expect(metrics.entity_f1).toBeLessThanOrEqual(1);
    expect(metrics.n_gold).toBeGreaterThan(0);
  });

  it("names the field of an out-of-range training option and trains nothing", async () => {
    const result = await pioneer(["train", "--data", slice.train, "--label-smoothing", "1.5", "--out", join(slice.dir, "never-smoothed")], registry);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('field "label_smoothing"');
    expect(existsSync(join(slice.dir, "never-smoothed"))).toBe(false); // nothing written, not even --out/data
  });

  it("checks predict's output path before predicting anything", async () => {
    const intoFolder = await pioneer(["predict", "--model", join(slice.dir, "m1"), "--data", slice.test, "--out", slice.dir], registry);
    expect(intoFolder.exitCode).toBe(2);
    expect(intoFolder.stderr).toContain(`--out ${slice.dir} is a folder; name the predictions file`);
    const missing = join(slice.dir, "no-such-folder", "p.jsonl");
    const intoNowhere = await pioneer(["predict", "--model", join(slice.dir, "m1"), "--data", slice.test, "--out", missing], registry);
    expect(intoNowhere.exitCode).toBe(2);
    expect(intoNowhere.stderr).toContain("no-such-folder does not exist; create it first");
    expect(intoNowhere.stderr).not.toContain("Traceback");
  });

  it("never trains into a registered model directory", async () => {
    const result = await pioneer(["train", "--data", slice.train, "--strategy", "head", "--epochs", "1", "--out", join(slice.dir, "m1")], registry);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/m1 holds version v0001-\w+ of the model registry at .*; a registered model directory is never rewritten: choose another --out/);
  });

  it("rejects an unknown flag with the command's usage", async () => {
    const result = await pioneer(["eval", "--modle", "x"], registry);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("pioneer eval --model");
  });
});
