import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { datasetPath } from "../data/shared-datasets.ts";
import { type DevServer, startDevServer } from "../test-support/langgraph-dev-server.ts";
import { ModelRegistry } from "../trainer/registry.ts";

/** The `cold_start` graph as `langgraph.json` serves it: the real `langgraph dev` server, driven
 * through the SDK, from a description and SNIPS's label names to a promoted model. */
const TASK = "Route a voice assistant's requests. Users ask for the weather, book a restaurant table, add a song to a playlist, play music, rate a book, search for a creative work like a movie or a TV show, and search for screening events at cinemas.";
const LABELS = ["AddToPlaylist", "BookRestaurant", "GetWeather", "PlayMusic", "RateBook", "SearchCreativeWork", "SearchScreeningEvent"];
let server: DevServer | undefined;
let dir: string;
const threads: string[] = [];
const previousThreads = process.env.PIONEER_THREADS;

beforeAll(async () => {
  process.env.PIONEER_THREADS = "1"; // the server inherits it, and its workers with it
  dir = await mkdtemp(join(tmpdir(), "pioneer-cold-start-graph-"));
  const lines = (await readFile(datasetPath("snips", "test"), "utf8")).trim().split("\n");
  await writeFile(join(dir, "eval.jsonl"), `${lines.filter((_, i) => i % 10 === 0).join("\n")}\n`);
  server = await startDevServer();
}, 240_000);

afterAll(async () => {
  try {
    if (server) await Promise.all(threads.map((id) => server?.client.threads.delete(id)));
  } finally {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
    if (previousThreads === undefined) delete process.env.PIONEER_THREADS;
    else process.env.PIONEER_THREADS = previousThreads;
  }
});

describe("cold_start graph on the langgraph dev server", () => {
  it("is registered from langgraph.json and turns a description into a promoted model through runs.wait", async () => {
    if (!server) throw new Error("dev server did not start; see the beforeAll error");
    const { client } = server;
    expect((await client.assistants.search({ graphId: "cold_start" })).map((a) => a.graph_id)).toContain("cold_start");
    const thread = await client.threads.create();
    threads.push(thread.thread_id);
    const registryDir = join(dir, "registry");
    const state = (await client.runs.wait(thread.thread_id, "cold_start", {
      input: { input: { task: TASK, labels: LABELS, eval_path: join(dir, "eval.jsonl"), run_dir: join(dir, "run"), registry_dir: registryDir, llm: "off" } },
    })) as { read: { labels: number; eval: number }; result: { promoted: string; method: string; metrics: { accuracy: number; n: number } }; report: string };
    expect(state.read).toMatchObject({ labels: 7, eval: 70, traffic: null });
    expect(state.result.method).toBe("zero-shot");
    expect(state.result.metrics.n).toBe(70);
    expect(state.result.metrics.accuracy).toBeGreaterThan(0.7);
    expect(state.report).toContain(`# Cold start ${state.result.promoted}`);
    expect((await new ModelRegistry(registryDir).promoted())?.id).toBe(state.result.promoted);

    // A second run into the same folder is refused at intake: nothing of the first is overwritten.
    const again = (await client.runs.wait(thread.thread_id, "cold_start", { input: { input: { task: TASK, labels: LABELS, run_dir: join(dir, "run"), registry_dir: registryDir, llm: "off" } }, raiseError: false })) as { __error__?: { message: string } };
    expect(String(again.__error__?.message)).toContain(`${join(dir, "run")} already holds a cold start; choose another run folder`);
    expect((await new ModelRegistry(registryDir).list()).length).toBe(1);
  }, 240_000);

  it("refuses a seed file with a label outside the set, naming file and line, before writing anything", async () => {
    if (!server) throw new Error("dev server did not start; see the beforeAll error");
    const { client } = server;
    const seeds = join(dir, "seeds.jsonl");
    await writeFile(seeds, `${JSON.stringify({ text: "play jazz", label: "PlayMusic" })}\n${JSON.stringify({ text: "rain?", label: "Weather" })}\n`);
    const thread = await client.threads.create();
    threads.push(thread.thread_id);
    const runDir = join(dir, "refused");
    const body = (await client.runs.wait(thread.thread_id, "cold_start", { input: { input: { task: TASK, labels: LABELS, examples_path: seeds, run_dir: runDir, llm: "off" } }, raiseError: false })) as { __error__?: { message: string } };
    const message = String(body.__error__?.message); // the server wraps the graph's error as JSON
    expect(message.startsWith("{") ? (JSON.parse(message) as { message: string }).message : message).toContain(`${seeds}:2: field "label": "Weather" is not one of the task's labels`);
    expect(existsSync(runDir)).toBe(false);
  }, 120_000);
});
