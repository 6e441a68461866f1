import { existsSync } from "node:fs";
import { readFile, readdir, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { hasRunCheckpoints, openRunCheckpoints } from "../graph/checkpointer.ts";
import { inputText } from "../memory/embedder.ts";
import { predictedLabel } from "../evals/types.ts";
import type { ApprovalRequest } from "./approval.ts";
import { launchExit, readLaunch } from "./launch-run.ts";
import { DECISION_LOG_FILE, type DecisionLog, RunFolder } from "./run-folder.ts";
import { goldOf } from "./score-model.ts";
import type { MaintainStateType } from "../graph/state.ts";
import type { Decision, TaskKind } from "./types.ts";

/** What kind of run a folder holds: a maintenance graph run (checkpointed), a cold start, or a
 * generation model's maintenance round. */
export type RunKind = "maintain" | "cold-start" | "maintain-generation";

/** done: it wrote its outcome; awaiting_approval: it waits for a person (`pioneer runs approve|reject`);
 * incomplete: still running, or stopped by a crash or a kill (a maintain run resumes with --resume);
 * running / failed: a run launched in the background (run/launch-run.ts) whose process is alive, or
 * ended with an error (`next` holds the end of its log); unreadable: its checkpoints cannot be
 * opened here (`next` says why). */
export type RunStatus = "done" | "awaiting_approval" | "incomplete" | "running" | "failed" | "unreadable";

export interface RunSummary {
  id: string;
  dir: string;
  kind: RunKind;
  status: RunStatus;
  /** When the folder was last written. */
  updated_at: string;
  promoted: string | null;
  parent: string | null;
  stop_reason: string | null;
  /** What a person is asked to decide, when the run waits for one. */
  pending: ApprovalRequest | null;
  /** What to do next, in a command. */
  next: string | null;
}

/** A run in full: the summary, the decision log and the outcome file as written. */
export interface OpenFailure {
  id: string;
  text: string;
  gold: string;
  predicted: string;
}

export interface RunDetails extends RunSummary {
  decisions: Decision[];
  /** The failures the model the run ends on still gets wrong (maintain runs past intake). */
  open_failures: OpenFailure[] | null;
  /** The id the run's records carry in the memory (failures, experiments), when known. */
  memory_run_id: string | null;
  outcome: Record<string, unknown> | null;
  report_path: string | null;
}

/** The outcome of a maintain graph run and whether it waits, read from its checkpoints. */
interface GraphRunState {
  report: Record<string, unknown> | null;
  pending: ApprovalRequest | null;
  decisions: Decision[];
  stop_reason: string | null;
  baseline: string | null;
  /** The model the run ends on (its last promotion, else the deployed one) and where its
   * predictions are; the failures file; the task kind. */
  current: { id: string | null; predictions_dir: string } | null;
  failures_path: string | null;
  task_kind: TaskKind | null;
  run_id: string | null;
}

async function readJson(path: string): Promise<Record<string, unknown> | null> {
  if (!existsSync(path)) return null;
  try {
    return JSON.parse(await readFile(path, "utf8")) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`${path} is not valid JSON (${(err as Error).message}); the run folder was changed by hand or a write was cut short`);
  }
}

/** The kind of run a folder holds, or null when it holds none. */
export function runKindOf(dir: string): RunKind | null {
  if (hasRunCheckpoints(dir) || existsSync(join(dir, DECISION_LOG_FILE))) return "maintain";
  if (existsSync(join(dir, "task-spec.json"))) return "cold-start";
  if (existsSync(join(dir, "result.json"))) return "maintain-generation";
  // A launched run before its first file: the command it was started with.
  return readLaunch(dir)?.command ?? null;
}

/** Reads a maintain run's last checkpoint. */
async function graphRunState(dir: string): Promise<GraphRunState> {
  const { compileMaintainGraph } = await import("../graph/graph.ts");
  const { pendingApprovalOf } = await import("../graph/follow-run.ts");
  const checkpoints = await openRunCheckpoints(dir, { create: false });
  try {
    const snapshot = await compileMaintainGraph(checkpoints.saver).getState({ configurable: { thread_id: checkpoints.threadId } });
    const values = snapshot.values as Partial<MaintainStateType>;
    return {
      report: values.final_report?.summary ?? null,
      pending: pendingApprovalOf(snapshot),
      decisions: values.decisions ?? [],
      stop_reason: values.stop_reason ?? null,
      baseline: values.baseline?.id ?? null,
      current: values.parent ? { id: values.parent.id, predictions_dir: values.parent.predictions_dir } : null,
      failures_path: values.files?.failures ?? null,
      task_kind: values.task?.kind ?? null,
      run_id: values.run_id || null,
    };
  } finally {
    await checkpoints.close();
  }
}

/** A finished maintain run without checkpoints here (the LangGraph server keeps them): its report
 * and decision log. */
async function loggedRunState(dir: string): Promise<GraphRunState> {
  const log = (await readJson(join(dir, DECISION_LOG_FILE))) as DecisionLog | null;
  const report = await readJson(join(dir, "report.json"));
  return {
    report,
    pending: null,
    decisions: log?.decisions ?? [],
    stop_reason: log?.stop_reason ?? null,
    baseline: (report?.parent as string | null | undefined) ?? null,
    current: log?.current ?? null,
    failures_path: log?.files?.failures ?? null,
    task_kind: log?.task_kind ?? null,
    run_id: null,
  };
}

/** The failures the run's current model still gets wrong, from its saved predictions. */
async function openFailures(dir: string, s: GraphRunState): Promise<OpenFailure[] | null> {
  if (!s.current || !s.failures_path || !s.task_kind) return null;
  const run = new RunFolder(dir, s.task_kind);
  const [failures, predictions] = await Promise.all([run.examples(s.failures_path), run.predictions(s.current.predictions_dir, "failures")]);
  return failures.flatMap((f) => {
    const p = predictions.get(f.id);
    const predicted = p ? predictedLabel(p) : "";
    return predicted === goldOf(f) ? [] : [{ id: f.id, text: inputText(f), gold: goldOf(f), predicted }];
  });
}

/** Everything Pioneer knows about the run in `dir`; throws when the folder holds no run. */
export async function describeRun(dir: string, options: { openFailures?: boolean } = {}): Promise<RunDetails> {
  const details = await describeRunFolder(dir, options);
  return details.status === "incomplete" || details.status === "awaiting_approval" ? withLaunchStatus(details) : details;
}

/** A run launched (or continued after an approval) in the background is running while its process
 * lives, and failed when that process ended with an error before the run was done. */
async function withLaunchStatus(details: RunDetails): Promise<RunDetails> {
  const launch = readLaunch(details.dir);
  if (!launch) return details;
  const exit = await launchExit(details.dir);
  if (exit) return exit.code === 0 ? details : { ...details, status: "failed", pending: null, next: `exited with ${exit.code}; the end of ${details.dir}/run.log:\n${exit.log_tail}` };
  return processAlive(launch.pid) ? { ...details, status: "running", pending: null, next: `follow it with: pioneer runs show ${details.dir} (log: ${details.dir}/run.log)` } : details;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function describeRunFolder(dir: string, options: { openFailures?: boolean }): Promise<RunDetails> {
  const kind = runKindOf(dir);
  if (!kind) throw new Error(`${dir} holds no Pioneer run (no checkpoints, task-spec.json or result.json); list the runs with: pioneer runs list`);
  const updated_at = (await stat(dir)).mtime.toISOString();
  const base = { id: basename(dir), dir, kind, updated_at };
  if (kind === "maintain") {
    const s = hasRunCheckpoints(dir) ? await graphRunState(dir) : await loggedRunState(dir);
    const status: RunStatus = s.report ? "done" : s.pending ? "awaiting_approval" : "incomplete";
    return {
      ...base,
      status,
      promoted: (s.report?.promoted as string | null | undefined) ?? null,
      parent: (s.report?.parent as string | null | undefined) ?? s.baseline,
      stop_reason: s.stop_reason,
      pending: s.pending,
      next: status === "awaiting_approval" ? `pioneer runs approve ${dir}  (or: pioneer runs reject ${dir} --reason "...")` : status === "incomplete" ? `pioneer maintain --resume ${dir}` : null,
      decisions: s.decisions,
      open_failures: options.openFailures === false ? null : await openFailures(dir, s),
      memory_run_id: s.run_id,
      outcome: s.report,
      report_path: s.report ? join(dir, "report.md") : null,
    };
  }
  const outcome = (await readJson(join(dir, "report.json"))) ?? (await readJson(join(dir, "result.json")));
  return {
    ...base,
    status: outcome ? "done" : "incomplete",
    promoted: (outcome?.promoted as string | null | undefined) ?? null,
    parent: (outcome?.parent as string | null | undefined) ?? null,
    stop_reason: (outcome?.stopped as string | null | undefined) ?? null,
    pending: null,
    // A cold start or a generation round has no checkpoints: one that stopped is run again.
    next: outcome ? null : `run the ${kind} again with --run-dir ${dir}`,
    decisions: (outcome?.decisions as Decision[] | undefined) ?? [],
    open_failures: null,
    memory_run_id: null,
    outcome,
    report_path: existsSync(join(dir, "report.md")) ? join(dir, "report.md") : null,
  };
}

/** Every run folder directly under `runsDir`, the most recently written first. */
export async function listRuns(runsDir: string): Promise<RunSummary[]> {
  if (!existsSync(runsDir)) return [];
  const entries = await readdir(runsDir, { withFileTypes: true });
  const runs: RunSummary[] = [];
  for (const entry of entries) {
    const dir = join(runsDir, entry.name);
    const kind = entry.isDirectory() ? runKindOf(dir) : null;
    if (!kind) continue;
    try {
      const { decisions: _d, outcome: _o, report_path: _r, open_failures: _f, memory_run_id: _m, ...summary } = await describeRun(dir, { openFailures: false });
      runs.push(summary);
    } catch (err) {
      // One run that cannot be read here (its database unreachable, a file cut short) does not hide the others.
      const updated_at = (await stat(dir)).mtime.toISOString();
      runs.push({ id: entry.name, dir, kind, status: "unreadable", updated_at, promoted: null, parent: null, stop_reason: null, pending: null, next: (err as Error).message });
    }
  }
  return runs.sort((a, b) => b.updated_at.localeCompare(a.updated_at));
}

/** One line per run, with its id first so an answer can cite it. */
export function runLine(r: RunSummary): string {
  const outcome =
    r.status === "done" ? (r.promoted ? `promoted ${r.promoted} (parent ${r.parent ?? "-"})` : `kept ${r.parent ?? "the parent"}`) : r.status === "awaiting_approval" ? `waits for a person to approve the ${r.pending?.kind} of round ${r.pending?.round}` : r.status === "unreadable" ? `cannot be read here: ${r.next ?? ""}` : r.status === "failed" ? (r.next?.split("\n").at(-1) ?? "") : r.status === "running" ? "in progress" : r.status;
  return `${r.id} [${r.kind}, ${r.status}]: ${outcome}${r.stop_reason ? `; stopped: ${r.stop_reason}` : ""}`;
}
