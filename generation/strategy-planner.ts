import { tool } from "@langchain/core/tools";
import { z } from "zod";
import { decideWithLlm, type LlmDecider } from "../llm/decide.ts";
import type { DecisionMode, LlmUsage } from "../llm/usage.ts";
import { NO_USAGE } from "../llm/usage.ts";
import type { MemoryStore } from "../memory/index.ts";
import { pastExperimentsTool } from "../tools/past-experiments.ts";
import type { StrategyTry } from "./strategy-plan.ts";
import { TARGET_STRATEGIES, type TargetStrategy } from "./targets.ts";

/** What one tried strategy measured, as the planner sees it. */
export interface StrategyEvidence {
  strategy: TargetStrategy;
  model: string;
  exact_match: number;
  exact_match_ci: [number, number];
  training_examples: number;
  rejected: number;
  train_s: number;
}

export const NextStrategy = z.object({
  next: z.enum([...TARGET_STRATEGIES, "stop"]).describe("the target strategy to train next (answer, rationale or self), or stop to keep the best one tried"),
  why: z.string().min(1).describe("the evidence behind the choice: measured exact match, intervals, past experiments"),
});
export type NextStrategy = z.infer<typeof NextStrategy>;

export interface NextStrategyDecision extends NextStrategy {
  mode: DecisionMode;
  /** Why the LLM's choice was not used, when it was not. */
  note: string | null;
  usage: LlmUsage;
}

export const STRATEGY_PROMPT = `You plan which training targets a small decoder student (a 135M-parameter language
model fine-tuned with LoRA) learns next for a generation task, from measured feedback. The targets:
- answer: the gold answer alone (cheap; the baseline);
- rationale: a worked rationale then the answer (chain-of-thought supervision), from the data set's
  rationales that reach the gold answer;
- self: the student's own sampled rationales that reached the gold answer (sampled from the
  rationale student, so it needs rationale first).
Every tried strategy is scored on the same held-out questions; the one with the best exact match is
promoted whatever you decide, so your choice is what to spend the remaining budget on. Call
strategy_evidence for what was measured so far and what is left, and past_experiments for what won
on similar tasks before. Choose a strategy that is left, or stop when the evidence says no strategy
left is likely to beat the best one (and say why in why).`;

/** The data a strategy decision is made on. */
export interface StrategyState {
  task: string;
  summary: string;
  tried: readonly StrategyEvidence[];
  remaining: readonly StrategyTry[];
  budget: { minutes_left: number | null; tries_left: number | null };
}

/** Why a choice cannot be carried out, or null. */
export function strategyGuard(state: StrategyState, choice: NextStrategy): string | null {
  if (choice.next === "stop") return state.tried.length === 0 ? "nothing was tried yet: a first strategy must be trained" : null;
  if (!state.remaining.some((r) => r.strategy === choice.next)) return `${choice.next} is not left to try (left: ${state.remaining.map((r) => r.strategy).join(", ") || "none"})`;
  if (choice.next === "self" && !state.tried.some((t) => t.strategy === "rationale")) return "self-rationales are sampled from the rationale student: train rationale first";
  return null;
}

/**
 * The next target strategy: the offline plan's next one; with an LLM planner, its choice among the
 * strategies left (or stop), made after reading the evidence through its tools and kept only when
 * the guard allows it.
 */
export async function nextStrategy(planner: LlmDecider | null, state: StrategyState, memory: MemoryStore | null, runId: string): Promise<NextStrategyDecision> {
  const policy = (): NextStrategy => {
    const next = state.remaining.find((r) => strategyGuard(state, { next: r.strategy, why: "" }) === null);
    return next ? { next: next.strategy, why: `the plan's next strategy: ${next.why}` } : { next: "stop", why: "no strategy left that can be trained" };
  };
  if (!planner) return { ...policy(), mode: "policy", note: null, usage: NO_USAGE };
  const evidence = tool(async () => JSON.stringify({ tried: state.tried, remaining: state.remaining, budget: state.budget }), {
    name: "strategy_evidence",
    description: "The target strategies tried so far in this run with their measured exact match (95% interval) on the held-out questions, training examples, rejected examples and training seconds; the strategies left in the plan and why; the budget left.",
    schema: z.object({}),
  });
  const tools = [evidence, ...(memory ? [pastExperimentsTool(memory, { excludeRunId: runId, seen: new Set() })] : [])];
  const decided = await decideWithLlm(planner, {
    agent: "planner",
    instructions: STRATEGY_PROMPT,
    data: { task: state.task, memory_query: state.summary, tried: state.tried.map((t) => ({ strategy: t.strategy, exact_match: t.exact_match })), left: state.remaining.map((r) => r.strategy) },
    tools,
    schema: NextStrategy,
    policy,
    guard: (d) => strategyGuard(state, d),
  });
  return { ...decided.decision, mode: decided.mode, note: decided.note, usage: decided.usage };
}
