import { existsSync } from "node:fs";
import { mkdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { connect } from "@lancedb/lancedb";
import { pathToFileURL } from "node:url";
import { execa } from "execa";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BaseMessage, HumanMessage } from "@langchain/core/messages";
import { graph as chatGraph } from "../graph/chat-graph.ts";
import { REPO_ROOT } from "../lib/repo-root.ts";
import { OpenAiReplayServer } from "../test-support/openai-replay-server.ts";
import { ScriptedChatModel, textMessage, toolCallMessage } from "../test-support/scripted-chat-model.ts";
import type { PromotionApprovalRequest } from "../run/approval.ts";
import { type MaintainSlice, maintainSlice, registerDeployed } from "../test-support/maintain-slice.ts";
import { chromiumPath } from "../test-support/chromium.ts";
import { startPostgres } from "../test-support/postgres.ts";
import { ModelRegistry } from "../trainer/registry.ts";

/** Human approval from the CLI: `pioneer maintain --approve-promotion` (and --approve-training-over)
 * stops the run before the step and waits; `pioneer runs list|show` see it waiting with the
 * evidence; `pioneer runs reject` lets it go on, keeping the parent and saying who rejected it. The
 * tiny BANKING77 slice, one round, two epochs, one thread (the setting whose candidate passes the gate). */
let slice: MaintainSlice;
let runsDir: string;

beforeAll(async () => {
  slice = await maintainSlice();
  runsDir = join(slice.dir, "runs");
  await mkdir(runsDir, { recursive: true });
}, 300_000);

afterAll(async () => {
  if (slice) await rm(slice.dir, { recursive: true, force: true });
});

function pioneer(args: string[], env: Record<string, string> = {}) {
  return execa("node", [join(REPO_ROOT, "cli", "bin.js"), ...args], { reject: false, env: { PIONEER_THREADS: "1", PIONEER_RUNS: runsDir, ...env } });
}

/** A maintain run named `name` under the runs folder, on its own registry (v0 promoted) and memory. */
async function startRun(name: string, extra: string[], env: Record<string, string> = {}) {
  const registryDir = join(slice.dir, name, "registry");
  const memoryDir = join(slice.dir, name, "memory");
  const v0 = await registerDeployed(registryDir, slice.v0Dir, slice.train);
  const result = await pioneer([
    "maintain", "--model", v0, "--train", slice.train, "--regression", slice.regression, "--failures", slice.failures, "--dev", slice.dev,
    "--run-dir", join(runsDir, name), "--registry", registryDir, "--memory", memoryDir, "--rounds", "1", "--max-epochs", "2", "--threads", "1", "--json", ...extra,
  ], env);
  return { v0, registryDir, memoryDir, result };
}

describe("pioneer runs: approving and rejecting what a run waits for", () => {
  it("a promotion that passed the gate waits for a person, shows its evidence, and a rejection keeps the parent", async () => {
    const run = await startRun("promotion", ["--approve-promotion"]);
    expect(run.result.exitCode, run.result.stderr).toBe(0);
    const waiting = JSON.parse(run.result.stdout) as { status: string; run_id: string; request: PromotionApprovalRequest };
    expect(waiting).toMatchObject({ status: "awaiting_approval", run_id: "promotion", request: { kind: "promotion", round: 1, candidate: "round-1", parent: run.v0 } });
    const { request } = waiting;
    expect(request.after.task).toBeGreaterThan(request.before.task);
    expect(request.gate[0]).toMatch(/points/);
    expect(request.data_changes?.why.length).toBeGreaterThan(0);
    for (const flip of waiting.request.flips) {
      expect(flip.text.length).toBeGreaterThan(0);
      expect(flip.before).toBe(flip.gold);
      expect(flip.after).not.toBe(flip.gold);
    }
    // Nothing moved while it waits.
    expect((await new ModelRegistry(run.registryDir).promoted())?.id).toBe(run.v0);

    const listed = await pioneer(["runs", "list", "--json"]);
    expect(listed.exitCode, listed.stderr).toBe(0);
    const runs = (JSON.parse(listed.stdout) as { runs: { id: string; kind: string; status: string; pending: { kind: string } | null }[] }).runs;
    expect(runs).toEqual([expect.objectContaining({ id: "promotion", kind: "maintain", status: "awaiting_approval", pending: expect.objectContaining({ kind: "promotion" }) })]);

    const shown = await pioneer(["runs", "show", "promotion"]);
    expect(shown.exitCode, shown.stderr).toBe(0);
    expect(shown.stdout).toContain(`waits for approval to promote round-1 (round 1) over ${run.v0}`);
    expect(shown.stdout).toContain("pioneer runs approve");

    const rejected = await pioneer(["runs", "reject", "promotion", "--by", "alice", "--reason", "two flips on card payments", "--json"]);
    expect(rejected.exitCode, rejected.stderr).toBe(0);
    const summary = JSON.parse(rejected.stdout) as { promoted: string | null; parent: string; stop_reason: string; rounds: { pass: boolean; promoted: string | null; review: { approved: boolean; by: string; reason: string } | null }[] };
    expect(summary).toMatchObject({ promoted: null, parent: run.v0, stop_reason: "the promotion of round-1 rejected by alice: two flips on card payments" });
    expect(summary.rounds[0]).toMatchObject({ pass: true, promoted: null, review: { approved: false, by: "alice", reason: "two flips on card payments" } });
    expect((await new ModelRegistry(run.registryDir).promoted())?.id).toBe(run.v0);
    expect(await readFile(join(runsDir, "promotion", "report.md"), "utf8")).toContain("passed the gate; rejected by alice: two flips on card payments");
    // Memory does not count a rejected candidate as a winner to start from.
    const experiments = await (await (await connect(run.memoryDir)).openTable("experiments")).query().toArray();
    expect(experiments.map((e) => e.verdict)).toEqual(["rejected"]);

    const again = await pioneer(["runs", "approve", "promotion"]);
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toContain("does not wait for approval (status: done)");
  });

  it("on the Postgres checkpointer: killed mid-run, resumed, waits before a costly fine-tune; rejected, it ends with no candidate", async () => {
    const postgres = await startPostgres();
    try {
      const env = { PIONEER_CHECKPOINTER: postgres.url };
      const runDir = join(runsDir, "costly");
      const killed = await startRun("costly", ["--approve-training-over", "10"], { ...env, PIONEER_FAILPOINT: "curation" });
      expect(killed.result.signal, killed.result.stderr).toBe("SIGKILL");
      // The folder says where its checkpoints are, without a SQLite file of its own.
      const record = JSON.parse(await readFile(join(runDir, "checkpoints.json"), "utf8")) as { store: string; thread_id: string };
      expect(record.store).toBe("postgres");
      expect(record.thread_id).toMatch(/^costly-[0-9a-f]{8}$/);
      expect(existsSync(join(runDir, "checkpoints.sqlite"))).toBe(false);
      const stopped = JSON.parse((await pioneer(["runs", "show", "costly", "--json"], env)).stdout) as { status: string; next: string };
      expect(stopped).toMatchObject({ status: "incomplete", next: `pioneer maintain --resume ${runDir}` });
      const withoutDatabase = await pioneer(["runs", "show", "costly"]);
      expect(withoutDatabase.exitCode).toBe(1);
      expect(withoutDatabase.stderr).toContain("keeps its checkpoints in Postgres");

      const resumed = await pioneer(["maintain", "--resume", runDir, "--json"], env);
      expect(resumed.exitCode, resumed.stderr).toBe(0);
      const waiting = JSON.parse(resumed.stdout) as { status: string; request: { kind: string; examples: number; epochs: number; estimated_cost: number; limit: number } };
      expect(waiting).toMatchObject({ status: "awaiting_approval", request: { kind: "training", limit: 10 } });
      expect(waiting.request.estimated_cost).toBe(waiting.request.examples * waiting.request.epochs);
      expect(waiting.request.estimated_cost).toBeGreaterThan(10);

      const rejected = await pioneer(["runs", "reject", runDir, "--by", "bob", "--json"], env);
      expect(rejected.exitCode, rejected.stderr).toBe(0);
      const summary = JSON.parse(rejected.stdout) as { promoted: string | null; stop_reason: string; rounds: unknown[] };
      expect(summary.promoted).toBeNull();
      expect(summary.rounds).toEqual([]);
      expect(summary.stop_reason).toMatch(/^the fine-tune of round 1 \(\d+ examples x \d+ epochs\) rejected by bob$/);
      const listed = JSON.parse((await pioneer(["runs", "list", "--json"], env)).stdout) as { runs: { id: string; status: string }[] };
      expect(listed.runs.map((r) => [r.id, r.status]).sort()).toEqual([["costly", "done"], ["promotion", "done"]]);
    } finally {
      await postgres.stop();
    }
  });

  it("the chat graph explains the rejected round: by command with no model, through a scripted model's tools, and through the OpenAI client", async () => {
    const registry_dir = join(slice.dir, "promotion", "registry");
    const v0 = (await new ModelRegistry(registry_dir).promoted())!.id;
    const chat = async (text: string, configurable: Record<string, unknown> = {}) => {
      const state = await chatGraph.invoke({ messages: [new HumanMessage(text)] }, { configurable: { runs_dir: runsDir, registry_dir, user: "carol", ...configurable } });
      return state.messages;
    };
    const last = (messages: BaseMessage[]) => String(messages.at(-1)?.content);
    const saved = { base: process.env.OPENAI_BASE_URL, key: process.env.OPENAI_API_KEY };
    delete process.env.OPENAI_BASE_URL;
    delete process.env.OPENAI_API_KEY;
    try {
      const why = last(await chat("why promotion"));
      expect(why).toContain("Run promotion (maintain, done).");
      expect(why).toContain("candidate round-1");
      expect(why).toContain("passed the gate, then rejected by alice: two flips on card payments");
      expect(why).toContain(`Outcome: nothing promoted; ${v0} stays.`);
      expect(why).toMatch(/Failures still open: \d+: /);
      expect(last(await chat("status"))).toContain(`Promoted model: ${v0}`);
      expect(last(await chat("approve promotion"))).toContain("does not wait for approval (status: done)");
      // The Postgres run cannot be read without its database; the others still list.
      expect(last(await chat("runs"))).toMatch(/costly \[maintain, unreadable\][^\n]*keeps its checkpoints in Postgres/);
      expect(last(await chat("why was round 1 rejected?"))).toContain("Free text needs a language model");

      // A scripted model: it calls explain_run, then answers from what the tool returned.
      const scripted = new ScriptedChatModel([
        toolCallMessage("explain_run", { run: "promotion" }),
        (messages) => textMessage(`From the log: ${String(messages.at(-1)?.content).includes("rejected by alice") ? "round 1 of run promotion passed the gate; alice rejected the promotion of round-1" : "no record"}.`),
      ]);
      const answered = await chat("why was round 1 rejected?", { chatModel: scripted });
      expect(scripted.boundTools).toEqual(["status", "list_runs", "list_models", "explain_run", "answer_approval", "start_maintenance", "start_cold_start", "follow_run", "evaluate_model", "similar_failures"]);
      expect(answered.map((m) => m.getType())).toEqual(["human", "ai", "tool", "ai"]);
      expect(String(answered[2]?.content)).toMatch(/^<<<DATA-[0-9a-f]+\n/);
      expect(last(answered)).toBe("From the log: round 1 of run promotion passed the gate; alice rejected the promotion of round-1.");

      // The same through @langchain/openai over HTTP, the endpoint configured by the environment.
      const replay = await OpenAiReplayServer.start([
        { toolCall: { name: "explain_run", arguments: { run: "promotion" } } },
        { respond: (r) => ({ content: JSON.stringify(r.body.messages?.at(-1)?.content).includes("two flips on card payments") ? "alice rejected round-1 of run promotion: two flips on card payments" : "no record" }) },
      ]);
      try {
        process.env.OPENAI_BASE_URL = replay.baseURL;
        process.env.OPENAI_API_KEY = "test";
        expect(last(await chat("why was round 1 rejected?"))).toBe("alice rejected round-1 of run promotion: two flips on card payments");
        expect(replay.requests).toHaveLength(2);
        expect(replay.requests[0]?.body.tools?.map((t) => t.function.name)).toContain("explain_run");
      } finally {
        await replay.close();
      }
    } finally {
      if (saved.base === undefined) delete process.env.OPENAI_BASE_URL;
      else process.env.OPENAI_BASE_URL = saved.base;
      if (saved.key === undefined) delete process.env.OPENAI_API_KEY;
      else process.env.OPENAI_API_KEY = saved.key;
    }
  });

  it("the run's report.html renders its plots in headless Chromium (screenshot in test-output/)", async () => {
    const html = await readFile(join(runsDir, "promotion", "report.html"), "utf8");
    expect(html).toContain("passed the gate; rejected by alice: two flips on card payments");
    expect(html).not.toMatch(/<script/i);
    const browser = await chromium.launch({ executablePath: chromiumPath(), args: ["--no-sandbox"] });
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      await page.goto(pathToFileURL(join(runsDir, "promotion", "report.html")).href);
      const plots = await page.$$eval("figure.plot", (figures) =>
        figures.map((f) => {
          const svg = f.querySelector("svg");
          const box = svg?.getBoundingClientRect();
          return { name: f.getAttribute("data-plot"), width: box?.width ?? 0, height: box?.height ?? 0, marks: svg?.querySelectorAll("path, rect, circle, line").length ?? 0 };
        }),
      );
      expect(plots.map((p) => p.name)).toEqual(["metric-per-round", "per-class", "confused-pairs"]);
      for (const plot of plots) {
        expect(plot.width, plot.name ?? "").toBeGreaterThan(100);
        expect(plot.height, plot.name ?? "").toBeGreaterThan(50);
        expect(plot.marks, plot.name ?? "").toBeGreaterThan(5);
      }
      await mkdir(join(REPO_ROOT, "test-output"), { recursive: true });
      await page.screenshot({ path: join(REPO_ROOT, "test-output", "maintenance-report.png"), fullPage: true });
    } finally {
      await browser.close();
    }
  });

  it("the chat agent starts a maintenance run in the background, follows it to its approval, scores a model, finds its failures in the memory and approves", async () => {
    const registry_dir = join(slice.dir, "chat", "registry");
    const memory_dir = join(slice.dir, "chat", "memory");
    const v0 = await registerDeployed(registry_dir, slice.v0Dir, slice.train);
    const configurable = { runs_dir: runsDir, registry_dir, memory_dir, user: "dana" };
    const chat = async (text: string, chatModel?: ScriptedChatModel) =>
      String((await chatGraph.invoke({ messages: [new HumanMessage(text)] }, { configurable: { ...configurable, ...(chatModel ? { chatModel } : {}) } })).messages.at(-1)?.content);
    // The scripted model answers with what the tool returned, out of its data block.
    const toolAnswer = (messages: readonly BaseMessage[]) => {
      const block = String(messages.at(-1)?.content);
      return textMessage(/^<<<DATA-[0-9a-f]+\n/.test(block) ? (JSON.parse(block.split("\n").slice(1, -1).join("\n")) as string) : block);
    };

    // A wrong path is answered before anything starts; a wrong model by the CLI's own error.
    const missingFile = await chat("maintain it", new ScriptedChatModel([toolCallMessage("start_maintenance", { options: { model: v0, train: join(slice.dir, "missing.jsonl"), regression: slice.regression, failures: slice.failures } }), toolAnswer]));
    expect(missingFile).toBe(`error: no run started: --train ${join(slice.dir, "missing.jsonl")} does not exist`);
    const wrongModel = await chat("maintain it", new ScriptedChatModel([toolCallMessage("start_maintenance", { options: { model: join(slice.dir, "no-model"), train: slice.train, regression: slice.regression, failures: slice.failures } }), toolAnswer]));
    expect(wrongModel).toMatch(/^Run maintain-\S+ did not start: pioneer maintain exited with 1\. The end of its log:\n/);
    expect(wrongModel).toContain("is not a trained Pioneer model");

    const options = { model: v0, train: slice.train, regression: slice.regression, failures: slice.failures, dev: slice.dev, rounds: 1, "max-epochs": 2, threads: 1, "approve-promotion": true };
    const started = await chat("run maintenance on v0 with approval", new ScriptedChatModel([toolCallMessage("start_maintenance", { options }), toolAnswer]));
    const runId = /Started run (maintain-\S+) \(pioneer maintain, pid \d+/.exec(started)?.[1];
    expect(runId, started).toBeDefined();
    expect(started).toContain(`${runId} [maintain, running]`);
    let followed = "";
    for (const deadline = Date.now() + 600_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 3000))) {
      followed = await chat(`follow ${runId}`);
      if (!followed.startsWith(`${runId} [maintain, running]`)) break;
    }
    expect(followed).toContain(`${runId} [maintain, awaiting_approval]: waits for a person to approve the promotion of round 1`);
    expect(followed).toContain(`pioneer runs approve ${join(runsDir, runId!)}`);

    const scored = await chat("how good is v0 on the regression set?", new ScriptedChatModel([toolCallMessage("evaluate_model", { model: v0, data: slice.regression }), toolAnswer]));
    expect(scored).toContain(`Model ${v0} on ${slice.regression}`);
    expect(scored).toMatch(/^Model \S+ on \S+ \(\d+ examples\):\nn=\d+  accuracy=1\.0000/); // the regression set: what v0 gets right

    // The run's diagnostician wrote its failures to the chat's memory: asked by text, they are found;
    // asked by the run, its own failures are left out ("before" means other runs), and nothing else is there yet.
    const failureText = (JSON.parse((await readFile(slice.failures, "utf8")).split("\n")[0]!) as { text: string }).text;
    const seen = await chat("have we seen this before?", new ScriptedChatModel([toolCallMessage("similar_failures", { texts: [failureText] }), toolAnswer]));
    expect(seen).toMatch(new RegExp(`^"${failureText.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}":\n  1\.00 failure \\S+ of run (run-\\S+) \\(model ${v0}\\): "`));
    const memoryRunId = /of run (run-\S+)/.exec(seen)![1]!;
    const others = await chat("have we seen failures like these before?", new ScriptedChatModel([toolCallMessage("similar_failures", { run: runId }), toolAnswer]));
    expect(others).toContain(`  nothing in the memory from runs other than ${memoryRunId} (${runId})`);
    expect(others).not.toContain("1.00 failure");

    // The approval goes on in the background, like the run; following it shows where it got to.
    const approved = await chat(`approve ${runId} -- looks right`);
    expect(approved).toMatch(new RegExp(`^Approved by dana: the promotion of round 1 in ${runId}\\. ${runId} \\[maintain, (running|done)\\]`));
    for (const deadline = Date.now() + 300_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 2000))) {
      followed = await chat(`follow ${runId}`);
      if (!followed.startsWith(`${runId} [maintain, running]`)) break;
    }
    expect(followed).toMatch(new RegExp(`^${runId} \\[maintain, done\\]: promoted v\\d+-\\S+ \\(parent ${v0}\\)`));
    expect(await readFile(join(runsDir, runId!, "run.log"), "utf8")).toContain("approving the promotion of round 1");
    expect((await new ModelRegistry(registry_dir).promoted())?.id).not.toBe(v0);
  }, 600_000); // a background run to its approval, then to its end

  it("says what to do when a run is missing", async () => {
    const missing = await pioneer(["runs", "show", "no-such-run"]);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain(`no run "no-such-run"`);
    expect(missing.stderr).toContain("pioneer runs list");
  });
});
