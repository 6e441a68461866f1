import { existsSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevServer, startDevServer } from "../test-support/langgraph-dev-server.ts";
import { OpenAiReplayServer } from "../test-support/openai-replay-server.ts";
import { type MaintainSlice, maintainSlice, registerDeployed } from "../test-support/maintain-slice.ts";
import { ModelRegistry } from "../trainer/registry.ts";
import type { MaintainInputArgs } from "./maintain-input.ts";

/** The `maintain` graph as `langgraph.json` serves it: the real `langgraph dev` server (its own
 * checkpointer, state serialized between nodes), driven through the SDK on the tiny scenario, with
 * an `evaluate` thread running beside it; then the `chat` graph explains the run, in command mode
 * and through `@langchain/openai` against the replaying OpenAI-protocol server the dev server's
 * environment points at (the maintain run itself keeps its agents offline with llm: "off"). */
let server: DevServer | undefined;
let replay: OpenAiReplayServer | undefined;
let slice: MaintainSlice | undefined;
const threads: string[] = [];
const previousThreads = process.env.PIONEER_THREADS;

beforeAll(async () => {
  // The server inherits this environment, and with it the worker's thread count.
  process.env.PIONEER_THREADS = "1";
  replay = await OpenAiReplayServer.start([
    { toolCall: { name: "explain_run", arguments: { run: "run" } } },
    { respond: (r) => ({ content: JSON.stringify(r.body.messages?.at(-1)?.content).includes("approved by sdk-test") ? "sdk-test approved the promotion of round-1 in run run" : "no record" }) },
  ]);
  [server, slice] = await Promise.all([startDevServer({ env: { OPENAI_BASE_URL: replay.baseURL, OPENAI_API_KEY: "test" } }), maintainSlice()]);
}, 240_000);

afterAll(async () => {
  try {
    if (server) await Promise.all(threads.map((id) => server?.client.threads.delete(id)));
  } finally {
    await server?.stop();
    await replay?.close();
    if (slice) await rm(slice.dir, { recursive: true, force: true });
    if (previousThreads === undefined) delete process.env.PIONEER_THREADS;
    else process.env.PIONEER_THREADS = previousThreads;
  }
});

describe("maintain graph on the langgraph dev server", () => {
  it("is registered from langgraph.json; a run streamed to the approval interrupt is resumed with Command({ resume }) and promotes", async () => {
    if (!server || !slice) throw new Error("dev server or scenario did not start; see the beforeAll error");
    const { client } = server;
    const assistants = await client.assistants.search({ graphId: "maintain" });
    expect(assistants.map((a) => a.graph_id)).toContain("maintain");

    const registryDir = join(slice.dir, "registry");
    const v0 = await registerDeployed(registryDir, slice.v0Dir, slice.train);
    const runDir = join(slice.dir, "run");
    // One round, two epochs: the setting whose candidate passes the gate on this slice.
    const input: MaintainInputArgs = {
      model: v0,
      train_path: slice.train,
      regression_path: slice.regression,
      failures_path: slice.failures,
      dev_path: slice.dev,
      run_dir: runDir,
      registry_dir: registryDir,
      rounds: 1,
      max_epochs: 2,
      threads: 1,
      approve_promotion: true,
      llm: "off",
    };
    const thread = await client.threads.create();
    const beside = await client.threads.create();
    threads.push(thread.thread_id, beside.thread_id);
    const nodes: string[] = [];
    const maintained = (async () => {
      for await (const chunk of client.runs.stream(thread.thread_id, "maintain", { input: { input }, streamMode: "updates" })) {
        if (chunk.event === "updates") nodes.push(...Object.keys(chunk.data as Record<string, unknown>));
      }
      return Date.now();
    })();
    // A second thread at the same time: the deployed model scored on the regression set.
    const evaluated = client.runs.wait(beside.thread_id, "evaluate", { input: { model_dir: slice.v0Dir, data_path: slice.regression } }).then((state) => ({ state: state as { metrics: { n: number; accuracy: number } | null; model_dir: string }, at: Date.now() }));
    const [maintainEnded, evaluation] = await Promise.all([maintained, evaluated]);
    expect(evaluation.at).toBeLessThan(maintainEnded);
    expect(evaluation.state.model_dir).toBe(slice.v0Dir);
    const regressionCount = (await readFile(slice.regression, "utf8")).trim().split("\n").length;
    expect(evaluation.state.metrics?.n).toBe(regressionCount);
    expect(evaluation.state.metrics?.accuracy).toBeGreaterThan(0);
    expect(nodes.slice(0, 2)).toEqual(["intake", "planner"]);
    expect(nodes).toContain("trainer");
    expect(nodes).toContain("__interrupt__");
    expect(nodes).not.toContain("report");

    // The thread waits on the evaluator's interrupt, with the evidence for a reviewer.
    const waiting = await client.threads.getState(thread.thread_id);
    expect(waiting.next).toEqual(["evaluator"]);
    const request = waiting.tasks[0]?.interrupts[0]?.value as { kind: string; candidate: string; parent: string; before: { task: number }; after: { task: number } };
    expect(request).toMatchObject({ kind: "promotion", candidate: "round-1", parent: v0 });
    expect(request.after.task).toBeGreaterThan(request.before.task);
    expect((await new ModelRegistry(registryDir).promoted())?.id).toBe(v0);

    const state = (await client.runs.wait(thread.thread_id, "maintain", { command: { resume: { approved: true, by: "sdk-test" } } })) as {
      final_report?: { json_path: string; summary: { run_id: string; parent: string; promoted: string | null; stop_reason: string; rounds: { pass: boolean | null; review: { approved: boolean; by: string } | null }[] } };
      decisions?: { agent: string }[];
    };
    const summary = state.final_report?.summary;
    expect(summary).toMatchObject({ parent: v0, stop_reason: "round budget spent (1)" });
    expect(summary?.rounds).toHaveLength(1);
    expect(summary?.rounds[0]).toMatchObject({ pass: true, review: { approved: true, by: "sdk-test" } });
    expect(existsSync(join(runDir, "report.json"))).toBe(true);
    expect(state.decisions?.filter((d) => d.agent === "intake")).toHaveLength(1);
    const promoted = await new ModelRegistry(registryDir).promoted();
    expect(summary?.promoted).toBeTruthy();
    expect(promoted?.id).toBe(summary?.promoted);
    expect(promoted?.parent).toBe(v0);
  });

  it("serves the chat graph: with no model, commands answer about the run, citing its ids", async () => {
    if (!server || !slice) throw new Error("dev server or scenario did not start; see the beforeAll error");
    const config = { configurable: { runs_dir: slice.dir, registry_dir: join(slice.dir, "registry") } };
    const ask = async (threadId: string, text: string) => {
      const state = (await server!.client.runs.wait(threadId, "chat", { input: { messages: [{ role: "human", content: text }] }, config })) as { messages: { type: string; content: string }[] };
      return state.messages;
    };
    const thread = await server.client.threads.create();
    threads.push(thread.thread_id);
    const why = await ask(thread.thread_id, "why run");
    expect(why.at(-1)?.content).toContain("Run run (maintain, done).");
    expect(why.at(-1)?.content).toMatch(/candidate round-1: task metric [\d.]+ -> [\d.]+, \d+ flips; promoted as /);
    expect(why.at(-1)?.content).toContain("approved by sdk-test");

    // Free text goes to the endpoint in the server's environment: one tool call, then the answer.
    const answered = await ask(thread.thread_id, "why was round 1 of run promoted?");
    expect(answered.slice(-4).map((m) => m.type)).toEqual(["human", "ai", "tool", "ai"]);
    expect(answered.at(-1)?.content).toBe("sdk-test approved the promotion of round-1 in run run");
    expect(replay?.requests).toHaveLength(2);
    expect(replay?.requests[0]?.body.tools?.map((t) => t.function.name)).toEqual(expect.arrayContaining(["explain_run", "start_maintenance", "similar_failures"]));

  });
});
