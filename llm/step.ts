import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { type Decided, type DecisionRequest, decideWithLlm } from "./decide.ts";
import type { LlmAgent } from "./settings.ts";
import { NO_USAGE } from "./usage.ts";

/** The LLM side of a run: a chat model per agent, how many invalid answers a step may take, and the
 * run's token budget. Absent (null) when the run's mode is `off`. */
export interface LlmRun {
  modelFor: (agent: LlmAgent) => BaseChatModel;
  maxTries: number;
  /** Tokens (in + out) the run may spend; past it the policies decide. */
  budgetTokens: number | null;
  warn?: (message: string) => void;
}

/** One agent decision: by the offline policy when the run has no LLM or its budget is spent,
 * else through the LLM, guarded by the policy. `spentTokens` is what the run has spent so far. */
export async function decideStep<D>(llm: LlmRun | null, spentTokens: number, request: DecisionRequest<D>): Promise<Decided<D>> {
  if (!llm) return { decision: request.policy(), mode: "policy", note: null, retries: 0, usage: NO_USAGE };
  if (llm.budgetTokens !== null && spentTokens >= llm.budgetTokens) {
    return { decision: request.policy(), mode: "policy", note: `LLM token budget spent (${spentTokens} of ${llm.budgetTokens})`, retries: 0, usage: NO_USAGE };
  }
  let model;
  try {
    model = llm.modelFor(request.agent);
  } catch (err) {
    const why = `no LLM endpoint: ${(err as Error).message}`;
    (llm.warn ?? ((m: string) => console.error(m)))(`[llm] ${request.agent}: FALLBACK to the offline policy: ${why}`);
    return { decision: request.policy(), mode: "fallback", note: why, retries: 0, usage: NO_USAGE };
  }
  return decideWithLlm({ model, maxTries: llm.maxTries, ...(llm.warn ? { warn: llm.warn } : {}) }, request);
}
