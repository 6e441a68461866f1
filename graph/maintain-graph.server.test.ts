import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevServer, startDevServer } from "../test-support/langgraph-dev-server.ts";
import { type MaintainSlice, maintainSlice, registerDeployed } from "../test-support/maintain-slice.ts";
import { ModelRegistry } from "../trainer/registry.ts";
import type { MaintainInputArgs } from "./maintain-input.ts";

/** The `maintain` graph as `langgraph.json` serves it: the real `langgraph dev` server (its own
 * checkpointer, state serialized between nodes), driven through the SDK on the tiny scenario. */
let server: DevServer | undefined;
let slice: MaintainSlice | undefined;
const threads: string[] = [];
const previousThreads = process.env.PIONEER_THREADS;

beforeAll(async () => {
  // The server inherits this environment, and with it the worker's thread count.
  process.env.PIONEER_THREADS = "1";
  [server, slice] = await Promise.all([startDevServer(), maintainSlice()]);
}, 240_000);

afterAll(async () => {
  try {
    if (server) await Promise.all(threads.map((id) => server?.client.threads.delete(id)));
  } finally {
    await server?.stop();
    if (slice) await rm(slice.dir, { recursive: true, force: true });
    if (previousThreads === undefined) delete process.env.PIONEER_THREADS;
    else process.env.PIONEER_THREADS = previousThreads;
  }
});

describe("maintain graph on the langgraph dev server", () => {
  it("is registered from langgraph.json and runs one round to a report through runs.wait", async () => {
    if (!server || !slice) throw new Error("dev server or scenario did not start; see the beforeAll error");
    const { client } = server;
    const assistants = await client.assistants.search({ graphId: "maintain" });
    expect(assistants.map((a) => a.graph_id)).toContain("maintain");

    const registryDir = join(slice.dir, "registry");
    const v0 = await registerDeployed(registryDir, slice.v0Dir, slice.train);
    const runDir = join(slice.dir, "run");
    const input: MaintainInputArgs = {
      model: v0,
      train_path: slice.train,
      regression_path: slice.regression,
      failures_path: slice.failures,
      dev_path: slice.dev,
      run_dir: runDir,
      registry_dir: registryDir,
      rounds: 1,
      max_epochs: 1,
      threads: 1,
    };
    const thread = await client.threads.create();
    threads.push(thread.thread_id);
    const state = (await client.runs.wait(thread.thread_id, "maintain", { input: { input } })) as {
      final_report?: { json_path: string; summary: { run_id: string; parent: string; promoted: string | null; stop_reason: string; rounds: { pass: boolean | null }[] } };
      decisions?: { agent: string }[];
    };

    const summary = state.final_report?.summary;
    expect(summary).toMatchObject({ parent: v0, stop_reason: "round budget spent (1)" });
    expect(summary?.rounds).toHaveLength(1);
    expect(typeof summary?.rounds[0]?.pass).toBe("boolean");
    expect(existsSync(join(runDir, "report.json"))).toBe(true);
    expect(state.decisions?.filter((d) => d.agent === "intake")).toHaveLength(1);
    const promoted = await new ModelRegistry(registryDir).promoted();
    expect(promoted?.id).toBe(summary?.promoted ?? v0);
  });
});
