import { Command } from "@langchain/langgraph";
import { readFile } from "node:fs/promises";
import { MaintainInput } from "../../graph/maintain-input.ts";
import { getRunContext } from "../../graph/run-context.ts";
import type { MaintainStateType } from "../../graph/state.ts";
import { planRound } from "../trainer/policy.ts";
import { route } from "./policy.ts";
import { PlannerDecision } from "./schema.ts";

/** The pool's size and the share of it confident learning flags. */
async function poolIssues(labelIssuesPath: string): Promise<{ size: number; noiseShare: number }> {
  const rows = (await readFile(labelIssuesPath, "utf8")).split("\n").filter((l) => l.includes('"pool/'));
  if (rows.length === 0) return { size: 0, noiseShare: 0 };
  return { size: rows.length, noiseShare: rows.filter((l) => (JSON.parse(l) as { is_issue: boolean }).is_issue).length / rows.length };
}

/** The planner routes with Command(goto). Before a round's data is curated it asks the trainer's
 * policy for the round plan (band, curation, training), reading past experiments from memory. */
export async function plannerNode(state: MaintainStateType): Promise<Command> {
  const decision = PlannerDecision.parse(route(state));
  const update: Record<string, unknown> = {
    decisions: [{ agent: "planner", round: state.round, at: new Date().toISOString(), decision }],
  };
  if (decision.next === "data_curator" && state.diagnosis && state.parent && state.task) {
    const input = MaintainInput.parse(state.input);
    const context = await getRunContext(input);
    const past = await context.memory.strategiesForSimilarFailures(state.diagnosis.summary, { k: 5, minSimilarity: 0.5 });
    const pool = await poolIssues(state.diagnosis.label_issues_path);
    const plan = planRound({
      kind: state.task.kind,
      round: state.round,
      parentMetric: state.parent.scores.task,
      target: input.target ?? Math.min(1, (state.baseline?.scores.task ?? state.parent.scores.task) + 0.05),
      poolNoiseShare: pool.noiseShare,
      poolSize: pool.size,
      history: state.candidates,
      pastStrategies: past.filter((p) => p.run_id !== state.run_id),
      ...(input.max_epochs ? { maxEpochs: input.max_epochs } : {}),
    });
    update.next_plan = plan;
    (update.decisions as unknown[]).push({ agent: "trainer", round: state.round, at: new Date().toISOString(), decision: { plan: plan.band, reason: plan.reason, training: plan.training, from_memory: plan.from_memory } });
  }
  if (decision.stop_reason) update.stop_reason = decision.stop_reason;
  return new Command({ goto: decision.next, update });
}
