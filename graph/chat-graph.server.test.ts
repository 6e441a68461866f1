import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevServer, startDevServer } from "../test-support/langgraph-dev-server.ts";

/** The `chat` graph on the real dev server, in command mode (no model): a conversation thread kept
 * in the server's storage (.langgraph_api) goes on in a new server process. */
let server: DevServer | undefined;
let runsDir: string;

beforeAll(async () => {
  runsDir = await mkdtemp(join(tmpdir(), "pioneer-chat-runs-"));
  server = await startDevServer();
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await rm(runsDir, { recursive: true, force: true });
});

describe("chat graph on the langgraph dev server", () => {
  it("answers commands with no model, and a thread survives a restart of the server", async () => {
    if (!server) throw new Error("dev server did not start; see the beforeAll error");
    const config = { configurable: { runs_dir: runsDir, registry_dir: join(runsDir, "registry") } };
    const ask = async (threadId: string, text: string) => {
      const state = (await server!.client.runs.wait(threadId, "chat", { input: { messages: [{ role: "human", content: text }] }, config })) as { messages: { type: string; content: string }[] };
      return state.messages;
    };
    const thread = await server.client.threads.create();
    const status = await ask(thread.thread_id, "status");
    expect(status.at(-1)?.content).toContain(`Runs in ${runsDir}: 0 (0 done, 0 waiting for approval, 0 running, 0 failed, 0 incomplete).`);
    expect((await ask(thread.thread_id, "help")).at(-1)?.content).toContain("why RUN");

    // The dev server writes its storage 3 s after the last change (and again on exit).
    await new Promise((r) => setTimeout(r, 4000));
    await server.stop();
    server = await startDevServer();
    const kept = await server.client.threads.getState(thread.thread_id);
    expect((kept.values as { messages: unknown[] }).messages).toHaveLength(4);
    const after = await ask(thread.thread_id, "runs");
    expect(after).toHaveLength(6);
    expect(after.at(-1)?.content).toBe(`No runs in ${runsDir}.`);
    await server.client.threads.delete(thread.thread_id);
  });
});
