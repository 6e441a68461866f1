import { readFile } from "node:fs/promises";
import { Command } from "@langchain/langgraph";
import type { ApprovalAnswer, ApprovalRequest } from "../run/approval.ts";
import { RunResources, resourceOptions } from "../run/resources.ts";
import { describeRun } from "../run/run-index.ts";
import type { Decision } from "../run/types.ts";
import { hasRunCheckpoints, openRunCheckpoints } from "./checkpointer.ts";
import { compileMaintainGraph } from "./graph.ts";
import type { MaintainInput } from "./maintain-input.ts";
import type { MaintainStateType } from "./state.ts";

type MaintainGraph = ReturnType<typeof compileMaintainGraph>;

/** Where a followed run writes: `out` its outcome (the report, or what it waits for), `log` a line
 * per step. The CLI prints them; the chat graph keeps the outcome and drops the steps. */
export interface FollowOutput {
  out: (text: string) => void;
  log: (line: string) => void;
}

export const CONSOLE_OUTPUT: FollowOutput = { out: (t) => console.log(t), log: (l) => console.error(l) };

/** One line for a node's update: what that agent decided. */
export function describeStep(node: string, update: Record<string, unknown>): string {
  const decisions = (update.decisions as Decision[] | undefined) ?? [];
  const own = node === "data_curator" ? "data_curator" : node;
  const d = (decisions.find((x) => x.agent === own && x.decision.round_plan === undefined) ?? decisions.at(-1))?.decision ?? {};
  switch (node) {
    case "intake":
    {
      const earlier = (d.earlier_runs as { gold: number }[] | undefined) ?? [];
      const fromMemory = earlier.length ? ` + ${earlier.reduce((n, r) => n + r.gold, 0)} gold of ${earlier.length} earlier run(s) from memory` : "";
      return `loaded ${d.train} train / ${d.dev} dev / ${d.regression} regression / ${d.failures} failures${fromMemory}; deployed model scores ${Number(d.parent_task_metric).toFixed(4)}`;
    }
    case "planner": {
      const plan = decisions.find((x) => x.agent === "planner" && x.decision.round_plan !== undefined);
      const planned = plan ? `; round plan by ${plan.mode}${plan.note ? ` (${plan.note})` : ""}: ${String(plan.decision.round_plan)}` : "";
      return `-> ${String(d.next)} (${String(d.reason)})${planned}`;
    }
    case "diagnostician":
      return `causes ${JSON.stringify(d.counts)}; ${d.pool_label_issues} suspect pool labels`;
    case "data_curator":
      return `data ${d.data_version}: ${d.examples} examples, +${d.added} -${d.removed} ~${d.relabeled} relabeled`;
    case "trainer":
      return `${d.strategy} from ${d.init_from}, ${d.epochs} epochs, lr ${d.learning_rate} (${d.wall_s}s)`;
    case "evaluator":
      return `${d.pass ? "PROMOTED " + String(d.promoted) : "rejected"}: ${(d.reasons as string[] | undefined)?.join("; ")}`;
    case "report":
      return "report written";
    default:
      return "";
  }
}

/** What a waiting run asks, for a person at a terminal. */
export function describeApprovalRequest(r: ApprovalRequest): string {
  if (r.kind === "training") {
    return [
      `run ${r.run_id} waits for approval of the fine-tune of round ${r.round}: ${r.examples} examples x ${r.epochs} epochs = ${r.estimated_cost}, over the limit of ${r.limit}`,
      `plan: ${JSON.stringify(r.plan)}`,
      `answer with: ${r.how_to_answer}`,
    ].join("\n");
  }
  const pct = (x: number) => (x * 100).toFixed(2);
  const lines = [
    `run ${r.run_id} waits for approval to promote ${r.candidate} (round ${r.round}) over ${r.parent ?? "the deployed model"}`,
    `${r.metric} on dev ${pct(r.before.task)} -> ${pct(r.after.task)}; failures fixed ${r.before.failures.fixed}/${r.before.failures.n} -> ${r.after.failures.fixed}/${r.after.failures.n}; regression ${pct(r.before.regression.accuracy)}% -> ${pct(r.after.regression.accuracy)}%`,
    `gate: ${r.gate.join("; ")}`,
    `flips (right before, wrong now): ${r.flips.length}`,
    ...r.flips.slice(0, 10).map((f) => `  ${f.set}/${f.id}: "${f.text.slice(0, 80)}" gold ${f.gold}: ${f.before} -> ${f.after}`),
    ...(r.data_changes ? [`data: +${r.data_changes.added} -${r.data_changes.removed} ~${r.data_changes.relabeled} relabeled, ${r.data_changes.replayed} replayed`, ...r.data_changes.why.map((w) => `  - ${w}`)] : []),
    `answer with: ${r.how_to_answer}`,
  ];
  return lines.join("\n");
}

/** The interrupt a maintain thread's state waits on, if any. */
export function pendingApprovalOf(snapshot: { tasks: readonly { interrupts: readonly { value?: unknown }[] }[] }): ApprovalRequest | null {
  return (snapshot.tasks.flatMap((t) => t.interrupts)[0]?.value as ApprovalRequest | undefined) ?? null;
}

/** The options a checkpointed run started with (its registry, memory and worker come from them). */
export async function recordedInput(graph: MaintainGraph, threadId: string): Promise<MaintainInput | null> {
  return ((await graph.getState({ configurable: { thread_id: threadId } })).values as Partial<MaintainStateType>).input ?? null;
}

/**
 * Streams a maintain run (a new input, null to go on from the last checkpoint, or a Command that
 * answers a pending approval), printing each step to stderr; then prints the report (markdown, or
 * its JSON summary), or, when the run stopped to wait for a person, what it asks and how to answer
 * (`{"status":"awaiting_approval",...}` with --json).
 */
export async function followMaintainRun(
  graph: MaintainGraph,
  input: { input: MaintainInput } | Command | null,
  r: { threadId: string; runDir: string; resources: RunResources; json: boolean; output?: FollowOutput },
): Promise<void> {
  const { out, log } = r.output ?? CONSOLE_OUTPUT;
  const config = { configurable: { thread_id: r.threadId, resources: r.resources }, recursionLimit: 200, streamMode: "updates" as const };
  let round = ((await graph.getState({ configurable: { thread_id: r.threadId } })).values as Partial<MaintainStateType>).round ?? 1;
  for await (const chunk of await graph.stream(input as never, config)) {
    for (const [node, update] of Object.entries(chunk as Record<string, Record<string, unknown>>)) {
      if (node === "__interrupt__") continue;
      // A step is printed under the round it decided for (the evaluator's update already counts the next one).
      const decided = (update?.decisions as Decision[] | undefined)?.[0]?.round;
      log(`[round ${decided ?? round}] ${node}: ${describeStep(node, update ?? {})}`);
      if (typeof update?.round === "number") round = update.round;
    }
  }
  const state = await graph.getState({ configurable: { thread_id: r.threadId } });
  const pending = pendingApprovalOf(state);
  if (pending) {
    out(r.json ? JSON.stringify({ status: "awaiting_approval", run_id: r.threadId, run_dir: r.runDir, request: pending }) : describeApprovalRequest(pending));
    return;
  }
  const report = (state.values as { final_report?: { markdown_path: string; summary: Record<string, unknown> } }).final_report;
  if (!report) throw new Error(`run ${r.threadId} ended without a report; resume it with: pioneer maintain --resume ${r.runDir}`);
  out(r.json ? JSON.stringify(report.summary) : await readFile(report.markdown_path, "utf8"));
}

/** Thrown when a run is asked to take an answer it does not wait for. */
export class NotWaitingError extends Error {
  override name = "NotWaitingError";
}

/** Resumes a maintain run that waits for approval with a person's answer (`Command({ resume })`)
 * and follows it to its next stop: the report, or the next approval it waits for. */
export async function answerPendingApproval(dir: string, answer: ApprovalAnswer, r: { json: boolean; output?: FollowOutput }): Promise<void> {
  const notWaiting = async () => {
    const details = await describeRun(dir, { openFailures: false });
    return new NotWaitingError(`run ${details.id} does not wait for approval (status: ${details.status})${details.next ? `; next: ${details.next}` : ""}`);
  };
  if (!hasRunCheckpoints(dir)) throw await notWaiting();
  const checkpoints = await openRunCheckpoints(dir, { create: false });
  try {
    const graph = compileMaintainGraph(checkpoints.saver);
    const { threadId } = checkpoints;
    const state = await graph.getState({ configurable: { thread_id: threadId } });
    const pending = pendingApprovalOf(state);
    const options = (state.values as Partial<MaintainStateType>).input;
    if (!pending || !options) throw await notWaiting();
    (r.output ?? CONSOLE_OUTPUT).log(`${answer.approved ? "approving" : "rejecting"} the ${pending.kind} of round ${pending.round} in run ${threadId} (by ${answer.by})`);
    const resources = await RunResources.open(resourceOptions(options));
    try {
      await followMaintainRun(graph, new Command({ resume: answer }), { threadId, runDir: dir, resources, json: r.json, ...(r.output ? { output: r.output } : {}) });
    } finally {
      await resources.close();
    }
  } finally {
    await checkpoints.close();
  }
}
