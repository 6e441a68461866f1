import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { beforeAll, describe, expect, it } from "vitest";
import type { GenerationColdStartResult } from "../cold-start/run-generation-cold-start.ts";
import type { GenerationMaintenanceResult } from "../run/generation-maintenance.ts";
import { REPO_ROOT } from "../lib/repo-root.ts";
import { OpenAiReplayServer } from "../test-support/openai-replay-server.ts";
import { withMemory } from "../cold-start/with-memory.ts";
import { ModelRegistry } from "../trainer/registry.ts";

/** `pioneer cold-start --kind generation`: rationale and self targets trained on made-up codes the base
 * decoder cannot know (24 LoRA steps each), judged on the same questions, the best promoted, all
 * written to the memory, and a second run on a similar task whose LLM planner starts from the winner. The questions
 * are scored on the codes they trained on: this checks the mechanics, not generalisation. */
let dir: string;
let registry: string;
const CODES = { blicket: "7", dax: "12", wug: "30", fep: "41" };
const question = (w: string) => `What is the code of ${w}?`;

function pioneer(args: string[], env: Record<string, string> = {}) {
  return execa("node", [join(REPO_ROOT, "cli", "bin.js"), ...args], { reject: false, env: { PIONEER_REGISTRY: registry, PIONEER_THREADS: "2", PIONEER_LLM_TIMEOUT_S: "5", PIONEER_LLM_RETRIES: "0", ...env } });
}

const FINE_TUNE = ["--answer", "number", "--max-steps", "24", "--lr", "0.003", "--batch-size", "4", "--max-new-tokens", "24", "--samples", "2", "--json"];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pioneer-cold-start-generation-"));
  registry = join(dir, "registry");
  await writeFile(join(dir, "train.jsonl"), Object.entries(CODES).map(([w, c]) => `${JSON.stringify({ id: w, text: question(w), target: c, rationale: `The card of ${w} says ${c}.` })}\n`).join(""));
  await writeFile(join(dir, "eval.jsonl"), Object.entries(CODES).map(([w, c]) => `${JSON.stringify({ id: w, text: question(w), target: c })}\n`).join(""));
});

describe("pioneer cold-start --kind generation", () => {
  it("tries rationale and self targets, promotes the best on the held-out questions, and a similar task starts from it", async () => {
    const first = await pioneer(["cold-start", "--kind", "generation", "--task", "Answer with the secret code of a made-up word", "--examples", join(dir, "train.jsonl"), "--eval", join(dir, "eval.jsonl"),
      "--memory", join(dir, "memory"), "--run-dir", join(dir, "run-1"), "--targets", "rationale,self", ...FINE_TUNE]);
    expect(first.exitCode, first.stderr).toBe(0);
    const result = JSON.parse(first.stdout) as GenerationColdStartResult;
    expect(result.candidates.map((c) => c.strategy)).toEqual(["rationale", "self"]);
    const best = Math.max(...result.candidates.map((c) => c.exact_match));
    const winner = result.candidates.find((c) => c.exact_match === best)!;
    expect(result).toMatchObject({ kind: "generation", promoted: winner.id, strategy: winner.strategy, exact_match: best, memory: { recorded: 2, consulted: 0 } });
    expect(best).toBeGreaterThan(0.5);
    // Self targets: two samples a question from the rationale student, the ones reaching the code kept.
    const self = result.candidates[1]!;
    expect(self.self).toMatchObject({ sampled: 8, from: result.candidates[0]!.id });
    expect(self.rows).toBe(self.self!.questions);
    expect(self.rows + self.rejected).toBe(4);
    expect(result.comparisons.map((c) => c.against).sort()).toEqual(result.candidates.filter((c) => c !== winner).map((c) => c.strategy).sort());
    expect((await new ModelRegistry(registry).promoted())?.id).toBe(winner.id);
    const report = await readFile(join(dir, "run-1", "report.md"), "utf8");
    expect(await readFile(join(dir, "run-1", "report.html"), "utf8")).toMatch(/<figure class="plot" data-plot="candidates"><svg/);
    expect(report).toContain(`Promoted ${winner.id} (targets: ${winner.strategy}`);
    expect(report).toContain("| self |");

    const experiments = await withMemory(join(dir, "memory"), 2, (memory) => memory.experimentsOfRun("run-1"));
    expect(experiments.map((e) => e.strategy).sort()).toEqual(["targets: rationale", "targets: self"]);
    expect(experiments.filter((e) => e.verdict === "promoted").map((e) => e.candidate_model)).toEqual([winner.id]);
    // Without answer-only targets, the gain is over the first tried.
    expect(experiments.find((e) => e.strategy === "targets: rationale")?.gain).toBe(0);

    // A similar task with the LLM agents (the real @langchain/openai client against the replay
    // server): the planner looks the task up in the memory through past_experiments and starts from the winner.
    // Its training data lacks one rationale: the teacher writes it (kept: it reaches the code).
    await writeFile(join(dir, "train-2.jsonl"), Object.entries(CODES).map(([w, c]) => `${JSON.stringify({ id: w, text: question(w), target: c, ...(w === "fep" ? {} : { rationale: `The card of ${w} says ${c}.` }) })}\n`).join(""));
    const server = await OpenAiReplayServer.start([
      {
        respond: (request) => {
          const asked = JSON.parse(String(request.body.messages!.at(-1)!.content).replace(/^[^{]*/, "").replace(/[^}]*$/, "")) as { questions: { id: string; answer: string }[] };
          return { toolCall: { name: "submit_decision", arguments: { rationales: asked.questions.map((q) => ({ id: q.id, rationale: `The card of ${q.id} says ${q.answer}.` })) } } };
        },
      },
      { toolCall: { name: "past_experiments", arguments: { failure_summary: "secret code of an invented word", k: 5 } } },
      {
        respond: (request) => {
          const found = JSON.parse(String(request.body.messages!.at(-1)!.content)) as { experiments: { id: string; verdict: string; strategy: string }[] };
          const won = found.experiments.find((e) => e.verdict === "promoted")!;
          const strategy = won.strategy.replace("targets: ", "");
          return { toolCall: { name: "submit_decision", arguments: { next: strategy === "self" ? "rationale" : strategy, why: `${won.id} won on this task before` } } };
        },
      },
    ]);
    try {
      const second = await pioneer(["cold-start", "--kind", "generation", "--task", "Reply with the secret code of an invented word", "--examples", join(dir, "train-2.jsonl"), "--eval", join(dir, "eval.jsonl"),
        "--memory", join(dir, "memory"), "--run-dir", join(dir, "run-2"), "--tries", "1", "--llm", "endpoint", ...FINE_TUNE], { OPENAI_BASE_URL: server.baseURL, OPENAI_API_KEY: "test" });
      expect(second.exitCode, second.stderr).toBe(0);
      const again = JSON.parse(second.stdout) as GenerationColdStartResult;
      const startedFrom = winner.strategy === "self" ? "rationale" : winner.strategy;
      expect(again.decisions).toEqual([{ next: startedFrom, mode: "llm", why: `run-1/${winner.id} won on this task before` }]);
      expect(again.candidates.map((c) => c.strategy)).toEqual([startedFrom]);
      expect(again.not_tried.map((n) => n.why)).toEqual(expect.arrayContaining([expect.stringContaining("--tries")]));
      expect(again.memory.consulted).toBeGreaterThan(0);
      expect(again.rationales).toEqual({ data: 3, teacher: { asked: 1, written: 1, reached: 1 } });
      expect(again.teacher?.calls.map((c) => c.mode)).toEqual(["llm"]);
      expect(server.remaining).toBe(0);
      expect(server.requests.map((r) => r.body.tools!.map((t) => t.function.name))).toEqual([["submit_decision"], ["strategy_evidence", "past_experiments", "submit_decision"], ["strategy_evidence", "past_experiments", "submit_decision"]]);
      expect(await readFile(join(dir, "run-2", "report.md"), "utf8")).toContain(`1. ${startedFrom} by the LLM planner: run-1/${winner.id} won on this task before`);
    } finally {
      await server.close();
    }
  }, 900_000);

  it("maintains the promoted model: a warm-started candidate learns the failures, keeps the regression set, and is promoted", async () => {
    // The deployed model is the one the LLM run above promoted; new words are its failures, the
    // words it knows its regression set. Scored on the failures it trains on (--dev): mechanics.
    const reg = new ModelRegistry(registry);
    const deployed = (await reg.promoted())!;
    const NEW = { zorp: "53", quix: "64", mib: "75" };
    await writeFile(join(dir, "failures.jsonl"), Object.entries(NEW).map(([w, c]) => `${JSON.stringify({ id: w, text: question(w), target: c, rationale: `The card of ${w} says ${c}.` })}\n`).join(""));
    const run = await pioneer(["maintain", "--model", deployed.id, "--train", join(dir, "train.jsonl"), "--failures", join(dir, "failures.jsonl"), "--dev", join(dir, "failures.jsonl"),
      "--regression", join(dir, "eval.jsonl"), "--memory", join(dir, "memory"), "--run-dir", join(dir, "maintain-1"), "--targets", "answer,rationale", "--tries", "1", "--epsilon", "1",
      ...FINE_TUNE.filter((f) => !["--answer", "number"].includes(f))]);
    expect(run.exitCode, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as GenerationMaintenanceResult;
    expect(result).toMatchObject({ kind: "generation", parent: deployed.id, data: { failures_trained: 3, dev: 3, regression: 4, replayed: 3 }, epsilon: 1 });
    expect(result.before.dev_exact_match).toBe(0);
    // The plan starts from the memory's winner on this task (the cold starts above promoted rationale).
    const [candidate] = result.candidates;
    expect(candidate).toMatchObject({ strategy: "rationale", rows: 6, rejected: 0 });
    expect(candidate!.from_memory).toMatch(/^run-[12]\//);
    expect(result.not_tried).toEqual([expect.objectContaining({ strategy: "answer", why: expect.stringContaining("--tries") })]);
    expect(candidate!.dev_exact_match).toBeGreaterThan(0.5);
    expect(candidate!.flips.length).toBeLessThanOrEqual(1);
    expect(result).toMatchObject({ promoted: candidate!.id, strategy: "rationale" });
    const promoted = await reg.get(candidate!.id);
    expect(promoted.parent).toBe(deployed.id);
    expect(promoted.hyperparameters).toMatchObject({ maintain: "generation", init_from: deployed.id, targets: "rationale" });
    expect((await reg.promoted())?.id).toBe(candidate!.id);
    const experiments = await withMemory(join(dir, "memory"), 2, (memory) => memory.experimentsOfRun("maintain-1"));
    expect(experiments).toEqual([expect.objectContaining({ parent_model: deployed.id, candidate_model: candidate!.id, verdict: "promoted", gain: candidate!.dev_exact_match })]);
    const report = await readFile(join(dir, "maintain-1", "report.md"), "utf8");
    expect(report).toContain(`promoted ${candidate!.id} (targets: rationale)`);
    expect(report).toContain(`| ${deployed.id} (deployed) | 0.00% |`);
    expect(await readFile(join(dir, "maintain-1", "report.html"), "utf8")).toContain(`Promoted ${candidate!.id} (targets: rationale) over ${deployed.id}`);

    // Options of classification maintenance are refused for a generation model, before anything runs.
    const rounds = await pioneer(["maintain", "--model", deployed.id, "--train", join(dir, "train.jsonl"), "--failures", join(dir, "failures.jsonl"), "--regression", join(dir, "eval.jsonl"), "--rounds", "2"]);
    expect(rounds.exitCode).toBe(2);
    expect(rounds.stderr).toContain("--rounds is for classification and token models");
  }, 600_000);

  it("refuses options of the other kinds and unknown targets before anything runs", async () => {
    const oos = await pioneer(["cold-start", "--kind", "generation", "--task", "t", "--examples", join(dir, "train.jsonl"), "--oos-label", "x"]);
    expect(oos.exitCode).toBe(2);
    expect(oos.stderr).toContain("--oos-label is for classification and token tasks");
    const targets = await pioneer(["cold-start", "--kind", "generation", "--task", "t", "--examples", join(dir, "train.jsonl"), "--targets", "answer,cot"]);
    expect(targets.exitCode).toBe(2);
    expect(targets.stderr).toContain('--targets takes answer, rationale, self; got "cot"');
    const classification = await pioneer(["cold-start", "--task", "t", "--labels", "a,b", "--tries", "2"]);
    expect(classification.exitCode).toBe(2);
    expect(classification.stderr).toContain("--tries is for generation tasks (--kind generation)");
  });
});
