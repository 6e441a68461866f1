import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevServer, startDevServer } from "../test-support/langgraph-dev-server.ts";
import { bankingSlice } from "../test-support/slices.ts";
import { trainModel } from "../trainer/launcher.ts";

/** The `evaluate` graph as `langgraph.json` serves it: the real `langgraph dev` server, driven through the SDK. */
let server: DevServer | undefined;
let slice: Awaited<ReturnType<typeof bankingSlice>>;
let modelDir: string;
/** Threads this file created; deleted in afterAll so `.langgraph_api` does not grow run after run. */
const threads: string[] = [];

beforeAll(async () => {
  [server, slice] = await Promise.all([startDevServer(), bankingSlice()]);
  ({ modelDir } = await trainModel({ kind: "classification", train_path: slice.train, out_dir: join(slice.dir, "m"), strategy: "head", epochs: 20, threads: 1 }));
}, 180_000);

afterAll(async () => {
  if (!server) return;
  try {
    await Promise.all(threads.map((id) => server?.client.threads.delete(id)));
  } finally {
    await server.stop();
  }
});

function dev(): DevServer {
  if (!server) throw new Error("dev server did not start; see the beforeAll error");
  return server;
}

describe("evaluate graph on the langgraph dev server", () => {
  it("is registered from langgraph.json and scores a real model through runs.wait", async () => {
    const { client } = dev();
    const assistants = await client.assistants.search();
    expect(assistants.find((a) => a.graph_id === "evaluate")).toMatchObject({ name: "evaluate" });

    const thread = await client.threads.create();
    threads.push(thread.thread_id);
    const state = (await client.runs.wait(thread.thread_id, "evaluate", { input: { model_dir: modelDir, data_path: slice.test } })) as {
      metrics?: { n?: number; accuracy?: number };
      report?: string;
    };
    expect(state.metrics?.n).toBe(16);
    expect(state.metrics?.accuracy).toBeGreaterThan(0.5);
    expect(state.report).toContain("accuracy");
  });

  it("reports a failed run with the graph's error message", async () => {
    const { client } = dev();
    const thread = await client.threads.create();
    threads.push(thread.thread_id);
    const input = { model_dir: join(slice.dir, "no-such-model"), data_path: slice.test };

    // By default runs.wait throws `${error}: ${message}` when the run ends in an error.
    await expect(client.runs.wait(thread.thread_id, "evaluate", { input })).rejects.toThrow(/pioneer\.json/);

    // With raiseError: false the error comes back in the body, and the run is recorded with status "error".
    const body = (await client.runs.wait(thread.thread_id, "evaluate", { input, raiseError: false })) as {
      __error__?: { error: string; message: string };
    };
    expect(body.__error__?.message).toMatch(/pioneer\.json/);
    const runs = await client.runs.list(thread.thread_id);
    expect(runs.map((r) => r.status)).toEqual(["error", "error"]);
  });
});
