import { mkdir, readFile, readdir, rm } from "node:fs/promises";
import { join, relative } from "node:path";
import { connect } from "@lancedb/lancedb";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Failpoint, FAILPOINTS } from "../lib/failpoint.ts";
import { REPO_ROOT } from "../lib/repo-root.ts";
import { type MaintainSlice, maintainSlice, registerDeployed } from "../test-support/maintain-slice.ts";
import { ModelRegistry } from "../trainer/registry.ts";

/**
 * `pioneer maintain` killed with SIGKILL at each failpoint (lib/failpoint.ts), from intake to the
 * report, then resumed with `--resume`: every run ends with the same registry as an uninterrupted
 * one (the same versions, parents, model directories and data versions; the same pointer), with
 * exactly one promotion, one experiment in memory and the same report. The scenario is the tiny
 * BANKING77 slice (test-support/maintain-slice.ts), one round, two epochs, one thread.
 */
let slice: MaintainSlice;
let reference: Outcome;

interface Outcome {
  registry: unknown;
  promotions: number;
  experiments: number;
  failures: number;
  summary: Record<string, unknown>;
}

beforeAll(async () => {
  slice = await maintainSlice();
  reference = await outcomeOf(await startRun("reference"));
}, 600_000);

afterAll(async () => {
  if (slice) await rm(slice.dir, { recursive: true, force: true });
});

function pioneer(args: string[], env: Record<string, string> = {}) {
  return execa("node", [join(REPO_ROOT, "cli", "bin.js"), "maintain", ...args], { reject: false, env: { PIONEER_THREADS: "1", ...env } });
}

interface Run {
  dir: string;
  runDir: string;
  registryDir: string;
  memoryDir: string;
  result: Awaited<ReturnType<typeof pioneer>>;
}

/** A new run in its own folder, against its own registry (v0 promoted) and memory. */
async function startRun(name: string, env: Record<string, string> = {}): Promise<Run> {
  const dir = join(slice.dir, name);
  await mkdir(dir, { recursive: true });
  const registryDir = join(dir, "registry");
  const memoryDir = join(dir, "memory");
  const runDir = join(dir, "run");
  const v0 = await registerDeployed(registryDir, slice.v0Dir, slice.train);
  const args = ["--model", v0, "--train", slice.train, "--regression", slice.regression, "--failures", slice.failures, "--dev", slice.dev];
  const result = await pioneer([...args, "--run-dir", runDir, "--registry", registryDir, "--memory", memoryDir, "--rounds", "1", "--max-epochs", "2", "--threads", "1", "--json"], env);
  return { dir, runDir, registryDir, memoryDir, result };
}

/** What must not depend on a crash: the registry with ids, times and the test's folder taken out. */
async function outcomeOf(run: Run): Promise<Outcome> {
  expect(run.result.exitCode, run.result.stderr).toBe(0);
  const registry = new ModelRegistry(run.registryDir);
  const versions = await registry.list();
  const seq = (id: string | null) => (id === null ? null : versions.findIndex((v) => v.id === id));
  const pointer = await registry.pointer();
  const summary = JSON.parse(run.result.stdout) as Record<string, unknown> & { rounds: Record<string, unknown>[] };
  const db = await connect(run.memoryDir);
  return {
    registry: {
      versions: versions.map((v) => ({ parent: seq(v.parent), model_dir: relative(run.dir, v.model_dir).replace(/run-[0-9TZ-]+/, "RUN"), data_version: v.data_version, learnt_from: v.learnt_from ?? null })),
      current: seq(pointer.current),
      history: pointer.history.map((h) => ({ version: seq(h.id), action: h.action })),
    },
    // v0's own promotion (the registry was empty) is the setup's, not the run's.
    promotions: pointer.history.slice(1).filter((h) => h.action === "promote").length,
    experiments: await (await db.openTable("experiments")).countRows(),
    failures: await (await db.openTable("failures")).countRows(),
    summary: {
      ...summary,
      run_id: "RUN",
      promoted: summary.promoted === null ? null : seq(summary.promoted as string),
      parent: seq(summary.parent as string),
      rounds: summary.rounds.map((r) => ({ ...r, promoted: r.promoted === null ? null : seq(r.promoted as string), train_wall_s: "s" })),
      wall_s: "s",
      report: "-",
      llm_usage: "-",
    },
  };
}

/** Live processes whose environment holds `entry` (a killed run's workers would inherit it). */
/** Processes started with `entry` in their environment that are still there after up to `graceMs`:
 * a worker killed with its parent (PR_SET_PDEATHSIG) can take a few seconds to exit under load
 * while it frees its memory; one that survived would still be found. */
async function survivingProcessesWithEnv(entry: string, graceMs = 20_000): Promise<number[]> {
  const deadline = Date.now() + graceMs;
  for (;;) {
    const found = await processesWithEnv(entry);
    if (found.length === 0 || Date.now() > deadline) return found;
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function processesWithEnv(entry: string): Promise<number[]> {
  const pids = (await readdir("/proc")).filter((name) => /^\d+$/.test(name));
  const found: number[] = [];
  for (const pid of pids) {
    const environ = await readFile(`/proc/${pid}/environ`, "utf8").catch(() => "");
    if (environ.split("\0").includes(entry)) found.push(Number(pid));
  }
  return found;
}

describe("pioneer maintain: killed with SIGKILL at any point, resumed, ends as an uninterrupted run", () => {
  it("the uninterrupted run promotes its candidate once", () => {
    expect(reference.promotions).toBe(1);
    expect(reference.experiments).toBe(1);
    expect(reference.summary.promoted).toBe(1);
  });

  // Two runs at a time (vitest's maxConcurrency): each is one thread, and these machines have two cores.
  it.concurrent.each(Object.keys(FAILPOINTS) as Failpoint[])("killed %s, resumed", async (point) => {
    const killed = await startRun(point, { PIONEER_FAILPOINT: point });
    expect(killed.result.signal, `${point}: ${killed.result.stderr}`).toBe("SIGKILL");
    // The killed process's workers die with it (PR_SET_PDEATHSIG): nothing keeps writing into the run.
    expect(await survivingProcessesWithEnv(`PIONEER_FAILPOINT=${point}`)).toEqual([]);

    const resumed = await pioneer(["--resume", killed.runDir, "--json"]);
    const outcome = await outcomeOf({ ...killed, result: resumed });
    expect(outcome).toEqual(reference);
    // A write that the kill cut short leaves no half-written file where the run reads.
    expect((await readdir(killed.runDir)).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  }, 600_000);
});
