import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { datasetPath } from "../data/shared-datasets.ts";
import { REPO_ROOT } from "../lib/repo-root.ts";
import { predictFile } from "../trainer/launcher.ts";
import { type MaintainSlice, maintainSlice, registerDeployed } from "../test-support/maintain-slice.ts";

/** `pioneer maintain --log`: a production log (gold label and the deployed model's prediction a
 * line) is split by the run into failures, regression examples and a production dev set, and the
 * run is judged, and reported, on production accuracy with the training split as a guard. The
 * log: the tiny BANKING77 slice's 48 production queries with v0's predictions. */
let slice: MaintainSlice;
let log: string;
let entries: { id: string; text: string; label: string; pred: string }[];

beforeAll(async () => {
  slice = await maintainSlice();
  const preds = new Map((await readFile(join(slice.dir, "production-v0.jsonl"), "utf8")).trim().split("\n").map((l) => JSON.parse(l) as { id: string; label: string }).map((p) => [p.id, p.label]));
  entries = (await readFile(join(slice.dir, "production.jsonl"), "utf8")).trim().split("\n").map((l) => JSON.parse(l) as { id: string; text: string; label: string }).map((e) => ({ ...e, pred: preds.get(e.id)! }));
  log = join(slice.dir, "log.jsonl");
  await writeFile(log, entries.map((e) => JSON.stringify(e)).join("\n"));
}, 300_000);

afterAll(async () => {
  if (slice) await rm(slice.dir, { recursive: true, force: true });
});

function pioneer(args: string[]) {
  return execa("node", [join(REPO_ROOT, "cli", "bin.js"), ...args], { reject: false, env: { PIONEER_THREADS: "1" } });
}

describe("pioneer maintain --log", () => {
  it("splits the log, judges candidates on its production dev set and reports production accuracy beside the training-split guard", async () => {
    const registry = join(slice.dir, "registry");
    const v0 = await registerDeployed(registry, slice.v0Dir, slice.train);
    const runDir = join(slice.dir, "log-run");
    const result = await pioneer(["maintain", "--model", v0, "--train", slice.train, "--log", log, "--registry", registry, "--run-dir", runDir, "--rounds", "1", "--max-epochs", "2", "--threads", "1", "--json"]);
    expect(result.exitCode, result.stderr).toBe(0);

    const split = JSON.parse(await readFile(join(runDir, "log", "split.json"), "utf8")) as { entries: number; right: number; failures: number; regression: number; dev: { n: number; right: number } };
    const right = entries.filter((e) => e.pred === e.label).length;
    expect(split).toMatchObject({ entries: 48, right });
    expect(split.failures + split.regression + split.dev.n).toBe(48);
    expect(split.dev.n).toBeGreaterThanOrEqual(8);
    expect(split.regression).toBe(right - split.dev.right);

    const report = JSON.parse(await readFile(join(runDir, "report.json"), "utf8")) as {
      before: { task: number; guard: { n: number; accuracy: number }; regression: { n: number }; failures: { n: number } };
      production: { dev: number; before: number; after: number; log_accuracy: number; guard_before: number };
    };
    // The deployed model's task metric is its accuracy on the production dev set, as logged.
    expect(report.before.task).toBeCloseTo(split.dev.right / split.dev.n, 6);
    expect(report.before.regression.n).toBe(split.regression);
    expect(report.before.failures.n).toBe(split.failures);
    // A tenth of every label of the training examples (rounded down) is held out as the guard.
    const perLabel = new Map<string, number>();
    for (const line of (await readFile(slice.train, "utf8")).trim().split("\n")) {
      const { label } = JSON.parse(line) as { label: string };
      perLabel.set(label, (perLabel.get(label) ?? 0) + 1);
    }
    const guard = [...perLabel.values()].reduce((n, count) => n + Math.floor(count / 10), 0);
    expect(guard).toBeGreaterThan(10);
    expect(report.before.guard.n).toBe(guard);
    expect(report.production).toMatchObject({ dev: split.dev.n, before: report.before.task, log_accuracy: right / 48, guard_before: report.before.guard.accuracy });
    const md = await readFile(join(runDir, "report.md"), "utf8");
    expect(md).toContain(`**Production accuracy** (${split.dev.n} queries held out of the 48-query log): ${(report.production.before * 100).toFixed(2)}% -> ${(report.production.after * 100).toFixed(2)}%`);
    expect(md).toContain(`training-split guard ${(report.before.guard.accuracy * 100).toFixed(2)}% of ${guard}`);
  });

  it("learns out-of-scope queries as a class and tunes the candidate's out-of-scope fallback on the production dev set", async () => {
    // 30 real out-of-scope queries (CLINC150's oos test split) join the log with v0's answers.
    const oosQueries = (await readFile(datasetPath("clinc150", "test"), "utf8")).trim().split("\n").map((l) => JSON.parse(l) as { text: string; label: string }).filter((e) => e.label === "oos").slice(0, 30).map((e, i) => ({ id: `oos-${i}`, text: e.text, label: "oos" }));
    const oosPath = join(slice.dir, "oos.jsonl");
    await writeFile(oosPath, oosQueries.map((e) => JSON.stringify(e)).join("\n"));
    const oosPreds = join(slice.dir, "oos-v0.jsonl");
    await predictFile(slice.v0Dir, oosPath, oosPreds, { globalArgs: ["--threads", "1"] });
    const v0Answers = (await readFile(oosPreds, "utf8")).trim().split("\n").map((l) => (JSON.parse(l) as { label: string }).label);
    const oosLog = join(slice.dir, "oos-log.jsonl");
    await writeFile(oosLog, [...entries, ...oosQueries.map((e, i) => ({ ...e, pred: v0Answers[i]! }))].map((e) => JSON.stringify(e)).join("\n"));
    const runDir = join(slice.dir, "oos-run");
    const registry = join(slice.dir, "oos-registry");
    const v0 = await registerDeployed(registry, slice.v0Dir, slice.train);
    const result = await pioneer(["maintain", "--model", v0, "--train", slice.train, "--log", oosLog, "--oos-label", "oos", "--allow-new-labels", "--registry", registry, "--run-dir", runDir, "--rounds", "1", "--max-epochs", "2", "--threads", "1", "--json"]);
    expect(result.exitCode, result.stderr).toBe(0);

    const report = JSON.parse(await readFile(join(runDir, "report.json"), "utf8")) as { diagnosis: { counts: Record<string, number> } };
    expect(report.diagnosis.counts.out_of_scope).toBeGreaterThanOrEqual(20);
    const log = JSON.parse(await readFile(join(runDir, "decisions.json"), "utf8")) as { decisions: { agent: string; decision: Record<string, unknown> }[] };
    const choice = log.decisions.find((d) => d.agent === "trainer")?.decision.oos_threshold as { threshold: number | null; n: number; oos_examples: number; accuracy_after: number; fallbacks: number };
    const dev = (await readFile(join(runDir, "log", "production-dev.jsonl"), "utf8")).trim().split("\n").map((l) => JSON.parse(l) as { id: string; label: string });
    expect(choice).toMatchObject({ n: dev.length, oos_examples: dev.filter((e) => e.label === "oos").length });
    expect(choice.oos_examples).toBeGreaterThanOrEqual(5);
    // The threshold is the candidate's: in its pioneer.json, and applied to every prediction the
    // gate scored it with (the server forgot the copy it had loaded to choose it).
    const [runId] = await readdir(join(runDir, "models"));
    const manifest = JSON.parse(await readFile(join(runDir, "models", runId!, "round-1", "pioneer.json"), "utf8")) as { labels: string[]; oos_threshold?: number };
    expect(manifest.labels).toContain("oos");
    expect(manifest.oos_threshold).toBe(choice.threshold ?? undefined);
    const scored = (await readFile(join(runDir, "predictions", "round-1", "dev.jsonl"), "utf8")).trim().split("\n").map((l) => JSON.parse(l) as { id: string; label: string; confidence: number; oos_fallback?: boolean });
    expect(scored.filter((p) => p.oos_fallback).length).toBe(choice.fallbacks);
    expect(scored.every((p) => (p.oos_fallback ? p.label === "oos" && p.confidence < choice.threshold! : true))).toBe(true);
    const gold = new Map(dev.map((e) => [e.id, e.label]));
    expect(scored.filter((p) => p.label === gold.get(p.id)).length / dev.length).toBeCloseTo(choice.accuracy_after, 6);
  });

  it("refuses --log together with the sets it is split into", async () => {
    const result = await pioneer(["maintain", "--model", slice.v0Dir, "--train", slice.train, "--log", log, "--failures", slice.failures]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("--log is split into the failures, the regression set and a production dev set; drop --failures, or drop --log");
  });

  it("names the line of a log entry without the model's prediction", async () => {
    const bad = join(slice.dir, "no-pred.jsonl");
    await writeFile(bad, [JSON.stringify(entries[0]), JSON.stringify({ text: entries[1]!.text, label: entries[1]!.label })].join("\n"));
    const result = await pioneer(["maintain", "--model", slice.v0Dir, "--train", slice.train, "--log", bad, "--run-dir", join(slice.dir, "bad-run")]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`${bad}:2: field "pred": is missing`);
  });
});
