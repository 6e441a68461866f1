import { z } from "zod";

/** Which path produced a decision: the LLM's (valid and within the rules), the offline policy's
 * (LLM off, or its token budget spent), the policy's after the LLM failed (endpoint down, invalid
 * output after every try), or the policy's after the guard rails rejected the LLM's. */
export const DecisionMode = z.enum(["llm", "policy", "fallback", "rejected"]);
export type DecisionMode = z.infer<typeof DecisionMode>;

/** What LLM calls cost, per agent or per run: answered calls, their tokens, and the wall time of
 * every attempt (failed ones included: retries and timeouts of a dead endpoint). */
export const LlmUsage = z.object({
  calls: z.number().int().nonnegative(),
  tokens_in: z.number().int().nonnegative(),
  tokens_out: z.number().int().nonnegative(),
  wall_ms: z.number().nonnegative(),
});
export type LlmUsage = z.infer<typeof LlmUsage>;

export const NO_USAGE: LlmUsage = { calls: 0, tokens_in: 0, tokens_out: 0, wall_ms: 0 };

export function addUsage(a: LlmUsage, b: LlmUsage): LlmUsage {
  return { calls: a.calls + b.calls, tokens_in: a.tokens_in + b.tokens_in, tokens_out: a.tokens_out + b.tokens_out, wall_ms: a.wall_ms + b.wall_ms };
}

/** Usage per agent, summed over a run (the state's reducer). */
export function mergeUsageByAgent(all: Record<string, LlmUsage>, more: Record<string, LlmUsage>): Record<string, LlmUsage> {
  const out = { ...all };
  for (const [agent, usage] of Object.entries(more)) out[agent] = addUsage(out[agent] ?? NO_USAGE, usage);
  return out;
}

export function totalUsage(byAgent: Record<string, LlmUsage>): LlmUsage {
  return Object.values(byAgent).reduce(addUsage, NO_USAGE);
}

/** Tokens (in and out) a run's LLM calls have spent: what its budget counts. */
export function spentTokens(byAgent: Record<string, LlmUsage>): number {
  const total = totalUsage(byAgent);
  return total.tokens_in + total.tokens_out;
}
