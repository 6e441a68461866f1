import { existsSync } from "node:fs";
import { userInfo } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { ApprovalAnswer } from "../../run/approval.ts";
import { type RunDetails, type RunSummary, describeRun, listRuns, runLine } from "../../run/run-index.ts";
import { UsageError } from "../usage-error.ts";

export const RUNS_USAGE = `pioneer runs list [--json]               runs, the most recent first, with their status
pioneer runs show RUN [--json]           one run: outcome, decision log, what it waits for
pioneer runs approve RUN [--by NAME] [--reason TEXT] [--json]
pioneer runs reject RUN [--by NAME] [--reason TEXT] [--json]
                                         answer a run waiting for approval (maintain --approve-promotion)
                                         and let it go on: a rejected promotion keeps the parent
  RUN is a run folder or its name under --runs-dir DIR (default: $PIONEER_RUNS or ./runs)`;

function runsDirOf(flag: string | undefined): string {
  return resolve(flag ?? process.env.PIONEER_RUNS ?? "runs");
}

/** A run folder from its path or its name under the runs folder. */
function runDirOf(ref: string | undefined, runsDir: string): string {
  if (!ref) throw new UsageError("name a run: a run folder, or its name as `pioneer runs list` prints it");
  for (const dir of [resolve(ref), join(runsDir, ref)]) if (existsSync(dir)) return dir;
  throw new UsageError(`no run "${ref}" (neither a folder nor a run under ${runsDir}); list the runs with: pioneer runs list`);
}

function line(r: RunSummary): string {
  return `${runLine(r)}  (${r.updated_at})${r.next && r.status !== "unreadable" ? `\n    next: ${r.next}` : ""}`;
}

async function showRun(r: RunDetails): Promise<void> {
  console.log(line(r));
  console.log(`folder: ${r.dir}`);
  if (r.stop_reason) console.log(`stopped: ${r.stop_reason}`);
  if (r.report_path) console.log(`report: ${r.report_path}`);
  if (r.pending) {
    const { describeApprovalRequest } = await import("../../graph/follow-run.ts");
    console.log(`\n${describeApprovalRequest(r.pending)}`);
  }
  if (r.decisions.length > 0) {
    console.log("\ndecisions:");
    for (const d of r.decisions) console.log(`  [round ${d.round}] ${d.agent}${d.mode ? ` (${d.mode})` : ""}: ${JSON.stringify(d.decision).slice(0, 160)}`);
  }
}

export async function runsCommand(argv: string[]): Promise<void> {
  const [action, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    strict: true,
    allowPositionals: true,
    options: { "runs-dir": { type: "string" }, json: { type: "boolean", default: false }, by: { type: "string" }, reason: { type: "string" } },
  });
  const runsDir = runsDirOf(values["runs-dir"]);
  switch (action) {
    case "list": {
      const runs = await listRuns(runsDir);
      if (values.json) console.log(JSON.stringify({ runs_dir: runsDir, runs }));
      else if (runs.length === 0) console.log(`no runs in ${runsDir}; start one with \`pioneer maintain\` or \`pioneer cold-start\` (or pass --runs-dir)`);
      else for (const r of runs) console.log(line(r));
      return;
    }
    case "show": {
      const details = await describeRun(runDirOf(positionals[0], runsDir));
      if (values.json) console.log(JSON.stringify(details));
      else await showRun(details);
      return;
    }
    case "approve":
    case "reject": {
      const dir = runDirOf(positionals[0], runsDir);
      const answer: ApprovalAnswer = { approved: action === "approve", by: values.by ?? userInfo().username, ...(values.reason ? { reason: values.reason } : {}) };
      const { answerPendingApproval, NotWaitingError } = await import("../../graph/follow-run.ts");
      try {
        return await answerPendingApproval(dir, answer, { json: values.json });
      } catch (err) {
        throw err instanceof NotWaitingError ? new UsageError(err.message) : err;
      }
    }
    default:
      throw new UsageError(action ? `unknown runs action "${action}"` : "runs needs an action: list, show, approve or reject");
  }
}
