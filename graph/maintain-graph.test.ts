import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ClassificationExample, readExamples } from "../data/index.ts";
import { datasetPath } from "../data/shared-datasets.ts";
import { FailureCause, type FailureRecordInput } from "../memory/index.ts";
import { localBaseModel } from "../test-support/local-base-model.ts";
import { sliceRun } from "../test-support/maintain-run.ts";
import { type MaintainSlice, maintainSlice } from "../test-support/maintain-slice.ts";
import { readModelDir } from "../trainer/model-dir.ts";
import { learntFrom } from "../trainer/registry-manifest.ts";
import { openCheckpointer } from "./checkpointer.ts";
import { compileMaintainGraph } from "./graph.ts";
import type { MaintainInputArgs } from "./maintain-input.ts";
import { RunResources, resourceOptions } from "../run/resources.ts";
import type { MaintainStateType } from "./state.ts";

/** The maintenance graph end to end, offline, with the real worker on a tiny BANKING77 scenario
 * (see test-support/maintain-slice.ts): 6 intents x 30 noisy pool examples, v0 fine-tuned on them.
 * v0's base model is a local directory (the packaged MiniLM under another path), as for a team
 * whose student is not the default: the run must clean and rebuild on that base. */
let slice: MaintainSlice;
let baseDir: string;
let baseModel: string;
const previousThreads = process.env.PIONEER_THREADS;
/** Every run's worker, memory and registry, closed at the end as a CLI process would. */
const opened: RunResources[] = [];

beforeAll(async () => {
  process.env.PIONEER_THREADS = "1";
  baseDir = await mkdtemp(join(tmpdir(), "pioneer-base-"));
  baseModel = await localBaseModel(baseDir);
  slice = await maintainSlice({ model: baseModel });
}, 180_000);

afterAll(async () => {
  for (const resources of opened) await resources.close();
  if (slice) await rm(slice.dir, { recursive: true, force: true });
  if (baseDir) await rm(baseDir, { recursive: true, force: true });
  if (previousThreads === undefined) delete process.env.PIONEER_THREADS;
  else process.env.PIONEER_THREADS = previousThreads;
});

const scenario = (name: string, overrides: Partial<MaintainInputArgs> = {}) => sliceRun(slice, name, opened, overrides);

const agentsOf = (state: MaintainStateType) => state.decisions.map((d) => d.agent);
const routesOf = (state: MaintainStateType) => state.decisions.filter((d) => d.agent === "planner" && d.decision.next !== undefined).map((d) => d.decision.next);

describe("maintain graph (offline policies, real worker)", () => {
  it("diagnoses, curates, trains, gates and reports one round, and remembers it", async () => {
    const { v0, input, resources, registry, config } = await scenario("one-round");
    const graph = compileMaintainGraph(openCheckpointer(join(input.run_dir, "checkpoints.sqlite")));
    const final = (await graph.invoke({ input }, config)) as MaintainStateType;

    expect(routesOf(final)).toEqual(["diagnostician", "data_curator", "trainer", "evaluator", "report"]);
    expect(final.stop_reason).toBe("round budget spent (1)");

    // The report: JSON and markdown on disk, the summary in state.
    const report = final.final_report!;
    const summary = report.summary as Record<string, unknown> & { rounds: Record<string, unknown>[]; before: { task: number }; after: { task: number } };
    expect(JSON.parse(await readFile(report.json_path, "utf8"))).toEqual(summary);
    expect(await readFile(report.markdown_path, "utf8")).toContain(`# Maintenance report ${final.run_id}`);
    expect(summary).toMatchObject({ run_id: final.run_id, parent: v0, metric: "accuracy", stop_reason: "round budget spent (1)" });
    expect(summary.promoted === null || typeof summary.promoted === "string").toBe(true);
    expect(summary.before.task).toBeGreaterThan(0);
    expect(typeof summary.flips).toBe("number");
    expect(summary.rounds).toHaveLength(1);
    expect(summary.rounds[0]).toMatchObject({ round: 1, strategy: "full", epochs: 2 });

    // The noisy pool calls for a rebuild: from the deployed model's own base, not the packaged
    // default, and confident learning on that base's features too.
    const [candidate] = final.candidates;
    expect(candidate?.hyperparameters.init_from).toBe("base");
    expect((await readModelDir(candidate!.model_dir)).base_model).toBe(baseModel);
    expect(final.decisions.find((d) => d.agent === "diagnostician")?.decision.label_issues_encoder).toBe(baseModel);

    // The gate's decision agrees with the registry and the numbers.
    expect(candidate?.verdict).toBeDefined();
    const verdict = candidate!.verdict!;
    const promoted = await registry.promoted();
    if (summary.promoted) {
      expect(verdict.pass).toBe(true);
      expect(verdict.flips.total).toBeLessThanOrEqual(2);
      expect(summary.flips).toBe(verdict.flips.total);
      expect(summary.after.task).toBeGreaterThan(summary.before.task);
      expect(promoted?.id).toBe(summary.promoted);
      expect(promoted?.parent).toBe(v0);
      // What the promoted weights learnt: the candidate's data, after v0's when it warm-started from v0.
      const fromV0 = candidate!.hyperparameters.init_from === "parent" ? learntFrom(await registry.get(v0)) : [];
      expect(promoted?.learnt_from).toEqual([...fromV0, candidate!.data_hash]);
      expect(final.parent?.id).toBe(summary.promoted);
      expect(final.rounds_without_promotion).toBe(0);
    } else {
      expect(verdict.pass).toBe(false);
      expect(verdict.reasons.length).toBeGreaterThan(0);
      expect(summary.rounds[0]?.reasons).toEqual(verdict.reasons);
      expect(summary.after).toEqual(summary.before);
      expect(promoted?.id).toBe(v0);
      expect(final.parent?.id).toBe(v0);
      expect(final.rounds_without_promotion).toBe(1);
    }

    // The diagnosis: the injection is garbled input and is not trained on.
    const failures = (await readExamples(slice.failures, { kind: "classification" })).examples;
    expect(final.diagnosis?.accepted).not.toContain(slice.failureIds.injection);
    expect(final.diagnosis?.rejected).toContainEqual({ id: slice.failureIds.injection, cause: "garbled_input" });
    expect(final.diagnosis!.accepted.length + final.diagnosis!.rejected.length).toBe(failures.length);

    // Memory: one record per failure with its cause, one experiment whose verdict matches.
    const { memory } = resources;
    const remembered = await memory.failuresOfRun(final.run_id);
    expect(remembered.map((r) => r.id).sort()).toEqual(failures.map((f) => `${final.run_id}/${f.id}`).sort());
    for (const r of remembered) expect(FailureCause.options).toContain(r.cause);
    expect(remembered.find((r) => r.id === `${final.run_id}/${slice.failureIds.injection}`)).toMatchObject({ cause: "garbled_input", accepted: false, fixable: false });
    const experiments = await memory.experimentsOfRun(final.run_id);
    expect(experiments).toHaveLength(1);
    expect(experiments[0]).toMatchObject({ verdict: summary.promoted ? "promoted" : "rejected", parent_model: v0, strategy: "full", reasons: verdict.reasons });

    // The data version: a content-addressed file with its lineage next to it.
    const [data] = final.data_versions;
    expect(existsSync(data!.path)).toBe(true);
    const lineagePath = data!.path.replace(/\.jsonl$/, ".lineage.json");
    const lineage = JSON.parse(await readFile(lineagePath, "utf8")) as Record<string, unknown>;
    expect(lineage).toMatchObject({ hash: data!.hash, parent_hash: data!.parent_hash, round: 1, ...data!.lineage });
    // The parent is the run's deployed model, whose training data the run does not know.
    expect(data!.vs_parent_data).toBeNull();
    expect(lineage.vs_parent_data).toBeNull();
    const trained = (await readExamples(data!.path, { kind: "classification" })).examples.map((e) => e.id);
    expect(trained).not.toContain(`failure/${slice.failureIds.injection}`);
    for (const id of final.diagnosis!.accepted) expect(trained).toContain(`failure/${id}`);
    expect(trained.filter((id) => id.startsWith("regression/"))).toHaveLength((await readExamples(slice.regression, { kind: "classification" })).examples.length);
  });

  it("gates on earlier stages' failures and on the gold that earlier runs on the model's lineage accepted (from memory)", async () => {
    const staged = join(slice.dir, "failures-staged.jsonl");
    const lines = (await readFile(slice.failures, "utf8")).trimEnd().split("\n");
    await writeFile(staged, lines.map((l, i) => JSON.stringify({ ...JSON.parse(l), stage: i % 2 === 0 ? "stage-1" : "stage-2" })).join("\n") + "\n");
    const { v0, input, resources, config } = await scenario("staged", { failures_path: staged, max_epochs: 1, memory_dir: join(slice.dir, "staged", "shared-memory") });

    // An earlier run on v0 accepted 4 failures (inputs outside this run's files), rejected one, and
    // accepted one this run's failures file reports again; a run on another model accepted one more.
    const unseen = (await readExamples(datasetPath("banking77", "train_nodev"), { kind: "classification" })).examples
      .filter((e) => "label" in e && slice.labels.includes(e.label))
      .slice(-4) as ClassificationExample[];
    const current = (await readExamples(slice.failures, { kind: "classification" })).examples[0] as ClassificationExample;
    const earlier = (id: string, e: ClassificationExample, over: Partial<FailureRecordInput> = {}): FailureRecordInput => ({
      id: `run-earlier/${id}`, run_id: "run-earlier", input: e.text, gold: e.label, prediction: e.label, confidence: 0.5,
      cause: "coverage_gap", cluster: "", model_version: v0, stage: "", fixable: true, accepted: true, ...over,
    });
    await resources.memory.addFailures([
      ...unseen.map((e, i) => earlier(`u${i}`, e)),
      earlier("rejected", { ...unseen[0]!, text: "a rejected one" }, { accepted: false }),
      earlier("again", current),
      earlier("elsewhere", { ...unseen[0]!, text: "on another model" }, { run_id: "run-other", id: "run-other/x", model_version: "some-other-model" }),
    ]);

    const graph = compileMaintainGraph(openCheckpointer(join(input.run_dir, "checkpoints.sqlite")));
    const final = (await graph.invoke({ input }, config)) as MaintainStateType;
    const verdict = final.candidates[0]!.verdict!;
    expect(Object.keys(verdict.per_set).sort()).toEqual(["earlier_runs", "earlier_stages", "regression"]);
    // Only stage-1 failures form the earlier-stages set.
    expect(verdict.per_set.earlier_stages!.n).toBe(Math.ceil(lines.length / 2));
    // Only the earlier run's accepted gold on v0 that this run does not report again.
    expect(verdict.per_set.earlier_runs!.n).toBe(4);
    expect(final.baseline!.scores.earlier_runs?.n).toBe(4);
    expect(final.candidates[0]!.scores!.earlier_runs?.n).toBe(4);
    const intake = final.decisions.find((d) => d.agent === "intake")!.decision;
    expect(intake).toMatchObject({ earlier_runs: [{ run_id: "run-earlier", gold: 4 }], earlier_runs_skipped: { in_current_failures: 1 } });
    // The curator trained on it, as weighted gold.
    const trained = (await readExamples(final.data_versions[0]!.path, { kind: "classification" })).examples;
    expect(trained.filter((e) => e.id.startsWith("earlier/")).map((e) => e.id).sort()).toEqual(unseen.map((_, i) => `earlier/run-earlier/u${i}`));
    expect(await readFile(final.final_report!.markdown_path, "utf8")).toMatch(/earlier runs' gold [\d.]+% of 4/);
  });

  it("fails on a failure label outside the model's label set, naming file and field, and promotes nothing", async () => {
    const badFailures = join(slice.dir, "failures-bad-label.jsonl");
    const lines = (await readFile(slice.failures, "utf8")).trimEnd().split("\n");
    await writeFile(badFailures, [...lines, JSON.stringify({ id: "typo", text: "my card still has not arrived", label: "card_arival" })].join("\n") + "\n");
    const { v0, input, registry, config } = await scenario("bad-label", { failures_path: badFailures });
    const graph = compileMaintainGraph(openCheckpointer(join(input.run_dir, "checkpoints.sqlite")));

    const run = graph.invoke({ input }, config);
    await expect(run).rejects.toThrow(`failures-bad-label.jsonl:${lines.length + 1}: field "label": "card_arival" is not in the model's label set`);
    expect((await registry.promoted())?.id).toBe(v0);
    expect((await registry.list()).map((m) => m.id)).toEqual([v0]);
    expect(existsSync(join(input.run_dir, "report.json"))).toBe(false);
  });

  it("resumes a killed run from its SQLite checkpoints without re-running intake or the diagnosis", async () => {
    const { input, resources, config } = await scenario("resume", { max_epochs: 1 });
    const checkpoints = join(input.run_dir, "checkpoints.sqlite");

    const firstSaver = openCheckpointer(checkpoints);
    const first = compileMaintainGraph(firstSaver, { interruptAfter: ["diagnostician"] });
    await first.invoke({ input }, config);
    const paused = await first.getState(config);
    expect(paused.next).toEqual(["planner"]);
    expect((paused.values as MaintainStateType).diagnosis).not.toBeNull();
    expect((paused.values as MaintainStateType).data_versions).toEqual([]);
    // The process dies: its worker, memory and database connection go with it.
    await resources.close();
    opened.splice(opened.indexOf(resources), 1);
    firstSaver.db.close();

    const fresh = await RunResources.open(resourceOptions(input));
    opened.push(fresh);
    const second = compileMaintainGraph(openCheckpointer(checkpoints));
    const final = (await second.invoke(null, { ...config, configurable: { ...config.configurable, resources: fresh } })) as MaintainStateType;
    expect(final.final_report?.summary).toMatchObject({ run_id: (paused.values as MaintainStateType).run_id, stop_reason: "round budget spent (1)" });
    expect(agentsOf(final).filter((a) => a === "intake")).toHaveLength(1);
    expect(agentsOf(final).filter((a) => a === "diagnostician")).toHaveLength(1);
    expect(routesOf(final)).toEqual(["diagnostician", "data_curator", "trainer", "evaluator", "report"]);
    expect(final.candidates).toHaveLength(1);
    expect(final.candidates[0]?.verdict).toBeDefined();
  });
});
