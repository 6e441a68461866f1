import { continueRun } from "../../run/launch-run.ts";
import { describeRun, listRuns, runLine } from "../../run/run-index.ts";
import type { ChatContext } from "./context.ts";
import { explainRun } from "./explain.ts";
import { runDirIn } from "./run-dir.ts";

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
    `Runs in ${ctx.runsDir}: ${runs.length} (${count("done")} done, ${count("awaiting_approval")} waiting for approval, ${count("running")} running, ${count("failed")} failed, ${count("incomplete")} incomplete).`,
    ...(waiting.length ? [`Waiting for you: ${waiting.join(", ")}.`] : []),
  ].join("\n");
}

export async function modelsText(ctx: ChatContext): Promise<string> {
  const [versions, promoted] = await Promise.all([ctx.registry.list(), ctx.registry.promoted()]);
  if (versions.length === 0) return `No model versions in ${ctx.registry.root}.`;
  return versions.map((v) => `${v.id === promoted?.id ? "* " : "  "}${v.id} ${v.task_kind}/${v.strategy} parent ${v.parent ?? "-"} data ${v.data_version.slice(0, 12)} (${v.notes ?? ""})`).join("\n");
}

export async function whyText(ctx: ChatContext, run: string): Promise<string> {
  return explainRun(await describeRun(runDirIn(ctx, run)));
}

/** Approves or rejects what a run waits for; the run goes on in the background. */
export async function answerText(ctx: ChatContext, run: string, approved: boolean, reason: string | undefined): Promise<string> {
  const dir = runDirIn(ctx, run);
  const before = await describeRun(dir, { openFailures: false });
  if (before.status !== "awaiting_approval") throw new Error(`run ${before.id} does not wait for approval (status: ${before.status})${before.next ? `; next: ${before.next}` : ""}`);
  const continued = await continueRun({ dir, approved, by: ctx.user, reason });
  if (continued.exit && continued.exit.code !== 0) return `Could not ${approved ? "approve" : "reject"} ${before.id}: pioneer runs exited with ${continued.exit.code}:\n${continued.exit.log_tail}`;
  const after = await describeRun(dir, { openFailures: false });
  return `${approved ? "Approved" : "Rejected"} by ${ctx.user}: the ${before.pending?.kind} of round ${before.pending?.round} in ${before.id}. ${runLine(after)}${after.status === "running" ? `; follow ${before.id} for the rest` : ""}`;
}
