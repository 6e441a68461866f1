import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ScriptedChatModel, toolCallMessage } from "../test-support/scripted-chat-model.ts";
import { SUBMIT_DECISION } from "./decide.ts";
import { decideStep, type LlmRun } from "./step.ts";

const request = {
  agent: "planner" as const,
  instructions: "Pick a number.",
  data: { from: 1, to: 9 },
  tools: [],
  schema: z.object({ n: z.number().int().describe("the number") }),
  policy: () => ({ n: 5 }),
  guard: () => null,
};

describe("decideStep", () => {
  it("lets the policy decide when the run has no LLM", async () => {
    expect(await decideStep(null, 0, request)).toEqual({ decision: { n: 5 }, mode: "policy", note: null, retries: 0, usage: { calls: 0, tokens_in: 0, tokens_out: 0, wall_ms: 0 } });
  });

  it("asks the LLM while the run's token budget lasts, then hands the step to the policy", async () => {
    const model = new ScriptedChatModel([toolCallMessage(SUBMIT_DECISION, { n: 7 })]);
    const llm: LlmRun = { modelFor: () => model, maxTries: 2, budgetTokens: 1000, warn: () => undefined };
    expect(await decideStep(llm, 999, request)).toMatchObject({ decision: { n: 7 }, mode: "llm", usage: { calls: 1, tokens_in: 100, tokens_out: 20 } });
    expect(await decideStep(llm, 1000, request)).toEqual({ decision: { n: 5 }, mode: "policy", note: "LLM token budget spent (1000 of 1000)", retries: 0, usage: { calls: 0, tokens_in: 0, tokens_out: 0, wall_ms: 0 } });
    expect(model.received).toHaveLength(1);
  });

  it("falls back, counted, when the run's endpoint is gone (a resume without its variables)", async () => {
    const llm: LlmRun = { modelFor: () => { throw new Error("--llm endpoint needs an OpenAI-compatible endpoint"); }, maxTries: 2, budgetTokens: null, warn: () => undefined };
    expect(await decideStep(llm, 0, request)).toMatchObject({ decision: { n: 5 }, mode: "fallback", note: "no LLM endpoint: --llm endpoint needs an OpenAI-compatible endpoint" });
  });
});
