import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { MemoryStore, WorkerEmbedder } from "../../memory/index.ts";
import { type LaunchCommand, type LaunchOptions, launchRun, logTail } from "../../run/launch-run.ts";
import { describeRun, runLine } from "../../run/run-index.ts";
import { evaluateModelOnFile } from "../../trainer/evaluate-model.ts";
import { WorkerServer } from "../../trainer/serve-client.ts";
import type { ChatContext } from "./context.ts";
import { runDirIn } from "./run-dir.ts";

/** The chat agent's actions that start, follow and score runs and search the memory; each answer
 * is text an answer can quote, with the ids in it. */

/** The options of `pioneer maintain` and `pioneer cold-start` that name an input file. */
const FILE_OPTIONS = ["train", "regression", "failures", "dev", "log", "labels-file", "examples", "unlabeled", "eval"];

/** Starts `pioneer maintain|cold-start` in the background with the chat's runs folder, registry
 * and memory, and says how it started. Input files are checked first: a wrong path is the usual
 * mistake, and the run would only meet it after starting its worker. */
export async function startRunText(ctx: ChatContext, command: LaunchCommand, options: LaunchOptions): Promise<string> {
  const missing = FILE_OPTIONS.filter((flag) => typeof options[flag] === "string" && !existsSync(resolve(options[flag] as string)));
  if (missing.length) throw new Error(`no run started: ${missing.map((flag) => `--${flag} ${resolve(options[flag] as string)} does not exist`).join("; ")}`);
  const launched = await launchRun({ command, options: { memory: ctx.memoryDir, ...options }, runsDir: ctx.runsDir, registryDir: ctx.registry.root, by: ctx.user });
  if (launched.exit && launched.exit.code !== 0) {
    return `Run ${launched.id} did not start: pioneer ${command} exited with ${launched.exit.code}. The end of its log:\n${launched.exit.log_tail}`;
  }
  const details = await describeRun(launched.dir, { openFailures: false });
  return `Started run ${launched.id} (pioneer ${command}, pid ${launched.pid}, folder ${launched.dir}). ${runLine(details)}\nAsk me to follow ${launched.id} for its progress.`;
}

/** Where a run got to: its status line, what it waits for, and the end of its log. */
export async function followText(ctx: ChatContext, run: string): Promise<string> {
  const dir = runDirIn(ctx, run);
  const details = await describeRun(dir, { openFailures: false });
  const tail = await logTail(dir, 8);
  return [
    runLine(details),
    ...(details.next && details.status !== "failed" ? [`next: ${details.next}`] : details.status === "failed" ? [details.next ?? ""] : []),
    ...(details.report_path ? [`report: ${details.report_path}${existsSync(join(dir, "report.html")) ? ` and ${join(dir, "report.html")}` : ""}`] : []),
    ...(tail && details.status !== "failed" ? [`the end of its log:\n${tail}`] : []),
  ].join("\n");
}

/** Scores a model (a registry id or a model folder) on a labeled file, here and now. */
export async function evaluateText(ctx: ChatContext, model: string, dataPath: string): Promise<string> {
  const manifest = await ctx.registry.resolve(model).catch(() => null);
  const modelDir = manifest?.model_dir ?? resolve(model);
  if (!existsSync(modelDir)) throw new Error(`"${model}" is neither a model version in ${ctx.registry.root} nor a model folder; list the models first`);
  const { evaluation, n } = await evaluateModelOnFile(modelDir, resolve(dataPath));
  return `Model ${manifest?.id ?? modelDir} on ${resolve(dataPath)} (${n} examples):\n${evaluation.report}`;
}

const NEAREST_PER_TEXT = 3;

/** Past failures in the memory like these texts (or like a run's open failures), and the strategies
 * that were tried on similar failures with their verdicts. */
export async function similarFailuresText(ctx: ChatContext, query: { texts?: string[] | undefined; run?: string | undefined }): Promise<string> {
  let texts = query.texts ?? [];
  // A run's own failures are in the memory too: "before" means other runs.
  let excludeRunId: string | undefined;
  if (query.run) {
    const details = await describeRun(runDirIn(ctx, query.run));
    excludeRunId = details.memory_run_id ?? undefined;
    if (texts.length === 0) texts = (details.open_failures ?? []).slice(0, 10).map((f) => f.text);
    if (texts.length === 0) return `Run ${details.id} has no open failures to look up.`;
  }
  if (texts.length === 0) throw new Error("give the texts to look up, or a run whose open failures to look up");
  if (!existsSync(ctx.memoryDir)) return `The memory at ${ctx.memoryDir} is empty: no run has written to it yet.`;
  const server = await WorkerServer.start();
  try {
    const memory = await MemoryStore.open(ctx.memoryDir, new WorkerEmbedder(server));
    try {
      const lines: string[] = [];
      for (const text of texts) {
        const nearest = await memory.similarFailures(text, { k: NEAREST_PER_TEXT, ...(excludeRunId ? { excludeRunId } : {}) });
        lines.push(`"${text}":`);
        if (nearest.length === 0) lines.push(`  nothing in the memory${excludeRunId ? ` from runs other than ${excludeRunId} (${query.run})` : ""}`);
        for (const f of nearest) {
          lines.push(`  ${f.similarity.toFixed(2)} failure ${f.id} of run ${f.run_id} (model ${f.model_version}): "${f.input}" gold ${f.gold}, predicted ${f.prediction}, cause ${f.cause}${f.accepted ? ", trained on" : ""}`);
        }
      }
      const strategies = await memory.strategiesForSimilarFailures(texts.join("\n"), { k: 3 });
      lines.push(strategies.length ? "Strategies tried on similar failures:" : "No past experiment on similar failures.");
      for (const e of strategies) {
        lines.push(`  ${e.strategy} in run ${e.run_id}: ${e.verdict} ${e.candidate_model} (gain ${e.gain >= 0 ? "+" : ""}${e.gain.toFixed(3)}, similarity ${e.similarity.toFixed(2)})${e.reasons.length ? `; ${e.reasons.join("; ")}` : ""}`);
      }
      return lines.join("\n");
    } finally {
      memory.close();
    }
  } finally {
    await server.close();
  }
}
