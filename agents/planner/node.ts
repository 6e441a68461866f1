import { Command, type LangGraphRunnableConfig } from "@langchain/langgraph";
import { ensureConfiguration } from "../../graph/configuration.ts";
import type { MaintainStateType, MaintainUpdate } from "../../graph/state.ts";
import { decideStep } from "../../llm/step.ts";
import { spentTokens } from "../../llm/usage.ts";
import type { Decision } from "../../run/types.ts";
import type { LabelIssue } from "../../tools/find-label-issues.ts";
import { pastExperimentsTool } from "../../tools/past-experiments.ts";
import { route } from "./policy.ts";
import { ROUND_PLAN_PROMPT } from "./prompts.ts";
import { planRound } from "./round-plan.ts";
import { roundPlanViolation } from "./round-plan-guard.ts";
import { PlannerDecision, RoundPlan } from "./schema.ts";

/** The pool's size and the share of it confident learning flags. */
function poolNoise(issues: ReadonlyMap<string, LabelIssue>): { size: number; noiseShare: number } {
  const pool = [...issues.values()].filter((i) => i.id.startsWith("pool/"));
  return { size: pool.length, noiseShare: pool.length === 0 ? 0 : pool.filter((i) => i.is_issue).length / pool.length };
}

/** What the round's planner sees of the run: numbers and verdicts, no production text. */
function planningEvidence(state: MaintainStateType, pool: { size: number; noiseShare: number }, target: number, policyPlan: RoundPlan) {
  return {
    task: { kind: state.task?.kind, labels: state.task?.labels.length, metric: state.task?.metric },
    round: state.round,
    rounds_budget: state.input.rounds,
    target,
    deployed_metric: state.baseline?.scores.task,
    parent_metric: state.parent?.scores.task,
    pool: { size: pool.size, suspect_share: Number(pool.noiseShare.toFixed(3)) },
    diagnosis: { counts: state.diagnosis?.counts, summary: state.diagnosis?.summary },
    candidates: state.candidates.map((c) => ({ round: c.round, training: c.hyperparameters, task: c.scores?.task, pass: c.verdict?.pass, failed: c.verdict?.failed, flips: c.verdict?.flips.total, reasons: c.verdict?.reasons.slice(0, 2), promoted: c.promoted_id ?? null })),
    max_epochs: state.input.max_epochs ?? null,
    policy_plan: policyPlan,
  };
}

/** The planner routes with Command(goto) by its offline policy and, before a round's data is
 * curated, plans the round (band, curation, training): by the LLM when the run has one, guarded by
 * the offline plan, which also stands when the LLM fails. */
export async function plannerNode(state: MaintainStateType, config?: LangGraphRunnableConfig): Promise<Command> {
  const decision = PlannerDecision.parse(route(state));
  const now = () => new Date().toISOString();
  // The route is the loop's fixed order and stop rules, not a choice between LLM and policy: no mode.
  const decisions: Decision[] = [{ agent: "planner", round: state.round, at: now(), decision }];
  const update: MaintainUpdate = { decisions };
  if (decision.stop_reason) update.stop_reason = decision.stop_reason;
  const { input, diagnosis, parent, task } = state;
  if (decision.next === "data_curator" && diagnosis && parent && task) {
    // Gather.
    const { resources, llm } = await ensureConfiguration(config, input);
    const past = await resources.memory.strategiesForSimilarFailures(diagnosis.summary, { k: 5, minSimilarity: 0.5 });
    const pool = poolNoise(await resources.runFolder(input.run_dir, task.kind).labelIssues(diagnosis.label_issues_path));
    const target = input.target ?? Math.min(1, (state.baseline?.scores.task ?? parent.scores.task) + 0.05);
    const pastStrategies = past.filter((p) => p.run_id !== state.run_id);
    const policyPlan = planRound({
      kind: task.kind,
      round: state.round,
      parentMetric: parent.scores.task,
      target,
      poolNoiseShare: pool.noiseShare,
      poolSize: pool.size,
      history: state.candidates,
      pastStrategies,
      ...(input.max_epochs ? { maxEpochs: input.max_epochs } : {}),
    });
    // Decide.
    const seen = new Set(pastStrategies.map((p) => p.id));
    const planned = await decideStep(llm, spentTokens(state.llm_usage), {
      agent: "planner",
      instructions: ROUND_PLAN_PROMPT,
      data: planningEvidence(state, pool, target, policyPlan),
      tools: [pastExperimentsTool(resources.memory, { excludeRunId: state.run_id, seen })],
      schema: RoundPlan,
      policy: () => policyPlan,
      guard: (plan) => roundPlanViolation(plan, { history: state.candidates, maxEpochs: input.max_epochs, knownExperiments: seen }),
    });
    // Write.
    const plan = planned.decision;
    update.next_plan = plan;
    if (planned.usage.calls > 0 || planned.usage.wall_ms > 0) update.llm_usage = { planner: planned.usage };
    decisions.push({ agent: "planner", round: state.round, at: now(), decision: { round_plan: plan.band, reason: plan.reason, training: plan.training, from_memory: plan.from_memory }, mode: planned.mode, note: planned.note, retries: planned.retries });
  }
  return new Command({ goto: decision.next, update });
}
