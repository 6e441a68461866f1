import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { answerPendingApproval } from "../../graph/follow-run.ts";
import { describeRun, listRuns, runLine } from "../../run/run-index.ts";
import type { ChatContext } from "./context.ts";
import { explainRun } from "./explain.ts";

/** What the chat agent can do, each as text an answer can quote: the same in command mode and as
 * the LLM's tools. */

export async function runsText(ctx: ChatContext): Promise<string> {
  const runs = await listRuns(ctx.runsDir);
  return runs.length ? runs.map(runLine).join("\n") : `No runs in ${ctx.runsDir}.`;
}

export async function statusText(ctx: ChatContext): Promise<string> {
  const [promoted, runs] = await Promise.all([ctx.registry.promoted(), listRuns(ctx.runsDir)]);
  const count = (status: string) => runs.filter((r) => r.status === status).length;
  const waiting = runs.filter((r) => r.status === "awaiting_approval").map((r) => `${r.id} (the ${r.pending?.kind} of round ${r.pending?.round})`);
  return [
    `Promoted model: ${promoted ? `${promoted.id} (${promoted.task_kind}/${promoted.strategy}, parent ${promoted.parent ?? "-"})` : `none in ${ctx.registry.root}`}.`,
    `Runs in ${ctx.runsDir}: ${runs.length} (${count("done")} done, ${count("awaiting_approval")} waiting for approval, ${count("incomplete")} incomplete).`,
    ...(waiting.length ? [`Waiting for you: ${waiting.join(", ")}.`] : []),
  ].join("\n");
}

export async function modelsText(ctx: ChatContext): Promise<string> {
  const [versions, promoted] = await Promise.all([ctx.registry.list(), ctx.registry.promoted()]);
  if (versions.length === 0) return `No model versions in ${ctx.registry.root}.`;
  return versions.map((v) => `${v.id === promoted?.id ? "* " : "  "}${v.id} ${v.task_kind}/${v.strategy} parent ${v.parent ?? "-"} data ${v.data_version.slice(0, 12)} (${v.notes ?? ""})`).join("\n");
}

function runDir(ctx: ChatContext, run: string): string {
  for (const dir of [join(ctx.runsDir, run), resolve(run)]) if (existsSync(dir)) return dir;
  throw new Error(`no run "${run}" in ${ctx.runsDir}; say "runs" to list them`);
}

export async function whyText(ctx: ChatContext, run: string): Promise<string> {
  return explainRun(await describeRun(runDir(ctx, run)));
}

/** Approves or rejects what a run waits for, and says where the run got to next. */
export async function answerText(ctx: ChatContext, run: string, approved: boolean, reason: string | undefined): Promise<string> {
  const dir = runDir(ctx, run);
  const out: string[] = [];
  await answerPendingApproval(dir, { approved, by: ctx.user, ...(reason ? { reason } : {}) }, { json: false, output: { out: (t) => out.push(t), log: () => undefined } });
  const after = await describeRun(dir, { openFailures: false });
  return `${approved ? "Approved" : "Rejected"} by ${ctx.user}. ${runLine(after)}`;
}
