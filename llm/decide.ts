import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { type AIMessage, type BaseMessage, HumanMessage, SystemMessage, ToolMessage } from "@langchain/core/messages";
import { type StructuredToolInterface, tool } from "@langchain/core/tools";
import { z } from "zod";
import { DATA_RULE, dataBlock } from "./data-block.ts";
import type { LlmAgent } from "./settings.ts";
import { addUsage, type DecisionMode, type LlmUsage, NO_USAGE } from "./usage.ts";

/** The tool an agent ends with: its decision, validated against the agent's zod schema. */
export const SUBMIT_DECISION = "submit_decision";

/** Model calls one decision may take (evidence tools, retries) before it falls back. */
const MAX_MODEL_CALLS = 8;

/** One agent's LLM for this step, and how many invalid answers it may give. */
export interface LlmDecider {
  model: BaseChatModel;
  /** Invalid tool calls or decisions before the step falls back to the policy (default 2). */
  maxTries: number;
  /** Where loud warnings go (stderr by default). */
  warn?: (message: string) => void;
  /** Waits before retrying a rate limit the client gave up on at once (a 429 without Retry-After:
   * LangChain's client retries only 429s that say when). Default 1 s, then 2 s. */
  rateLimitBackoffMs?: readonly number[];
}

const RATE_LIMIT_BACKOFF_MS = [1000, 2000];

/** An error's first line (LangChain appends troubleshooting links). */
function firstLine(err: unknown): string {
  return String((err as Error)?.message ?? err).split("\n")[0]!.trim();
}

/** The model's answer; a rate limit the client did not retry is retried here, a bounded number of
 * times, before the caller falls back. */
async function invokeWithBackoff(model: { invoke: (m: BaseMessage[]) => Promise<unknown> }, messages: BaseMessage[], backoffMs: readonly number[], warn: (m: string) => void): Promise<AIMessage> {
  for (let attempt = 0; ; attempt++) {
    try {
      return (await model.invoke(messages)) as AIMessage;
    } catch (err) {
      const wait = backoffMs[attempt];
      if ((err as Error).name !== "RateLimitCapacityError" || wait === undefined) throw err;
      warn(`[llm] rate limited (${firstLine(err)}); retrying in ${wait} ms`);
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

export interface DecisionRequest<D> {
  agent: LlmAgent;
  /** The agent's prompt: its job and rules. */
  instructions: string;
  /** Production data and evidence for this step; reaches the model only as a quoted data block. */
  data: unknown;
  /** Evidence tools the model may call before deciding. */
  tools: readonly StructuredToolInterface[];
  /** The decision schema (every field described: the model reads it). */
  schema: z.ZodType<D>;
  /** The offline policy's decision: the default, and the fallback. */
  policy: () => D;
  /** The hard rules: null when the decision keeps them, else why not. */
  guard: (decision: D) => string | null;
}

export interface Decided<D> {
  decision: D;
  mode: DecisionMode;
  /** Why the LLM's decision was not used (fallback or rejected), for the report. */
  note: string | null;
  /** Invalid answers the model gave before the last one. */
  retries: number;
  usage: LlmUsage;
}

function usageOf(message: AIMessage, wallMs: number): LlmUsage {
  return { calls: 1, tokens_in: message.usage_metadata?.input_tokens ?? 0, tokens_out: message.usage_metadata?.output_tokens ?? 0, wall_ms: wallMs };
}

function validationError(error: z.ZodError): string {
  return z.prettifyError(error);
}

/**
 * One agent decision through an LLM with tool calling, guarded by the offline policy:
 *   1. the model gets the agent's instructions, and the step's data as a quoted block;
 *   2. it may call evidence tools (their answers go back as tool messages) and must end by calling
 *      `submit_decision` with the agent's zod decision;
 *   3. an invalid tool call or decision goes back to the model with the validation error; after
 *      `maxTries` invalid answers, or when the endpoint fails (after the client's own retries), the
 *      policy decides ("fallback");
 *   4. a valid decision that breaks a hard rule is replaced by the policy's ("rejected").
 * Tool calls are taken from the message's tool_calls only: tool-call-looking text in its content,
 * like any text in the data, is never executed.
 */
export async function decideWithLlm<D>(llm: LlmDecider, request: DecisionRequest<D>): Promise<Decided<D>> {
  const warn = llm.warn ?? ((m: string) => console.error(m));
  const submit = tool(async () => "received", { name: SUBMIT_DECISION, description: `Submit the ${request.agent}'s final decision. Call it exactly once, last.`, schema: request.schema as z.ZodType<Record<string, unknown>> });
  const model = llm.model.bindTools!([...request.tools, submit]);
  const messages: BaseMessage[] = [new SystemMessage(`${request.instructions}\n\n${DATA_RULE}\nEnd by calling ${SUBMIT_DECISION}.`), new HumanMessage(dataBlock(request.data))];
  let usage = NO_USAGE;
  let invalid = 0;
  const fallBack = (why: string): Decided<D> => {
    warn(`[llm] ${request.agent}: FALLBACK to the offline policy: ${why}`);
    return { decision: request.policy(), mode: "fallback", note: why, retries: invalid, usage };
  };
  const invalidAnswer = (message: BaseMessage): boolean => {
    messages.push(message);
    invalid++;
    return invalid >= llm.maxTries;
  };

  for (let call = 0; call < MAX_MODEL_CALLS; call++) {
    const started = performance.now();
    let answer: AIMessage;
    try {
      answer = await invokeWithBackoff(model, messages, llm.rateLimitBackoffMs ?? RATE_LIMIT_BACKOFF_MS, warn);
    } catch (err) {
      // The time a dead or hanging endpoint cost (retries, backoff, timeouts) counts too.
      usage = { ...usage, wall_ms: usage.wall_ms + (performance.now() - started) };
      return fallBack(`the endpoint failed: ${firstLine(err)}`);
    }
    usage = addUsage(usage, usageOf(answer, performance.now() - started));
    messages.push(answer);
    const calls = answer.tool_calls ?? [];
    // Tool calls whose arguments are not JSON: each gets its error back (the protocol wants an
    // answer to every call) and counts as one invalid answer.
    const unparsed = answer.invalid_tool_calls ?? [];
    for (const bad of unparsed) messages.push(new ToolMessage({ content: `the arguments of ${bad.name ?? "this call"} are not valid JSON (${bad.error ?? "unparseable"}); call it again with a JSON object`, tool_call_id: bad.id ?? `invalid-${call}`, status: "error" }));
    if (unparsed.length > 0) {
      invalid++;
      if (invalid >= llm.maxTries) return fallBack(`tool calls with unparseable arguments after ${invalid} tries`);
      if (calls.length === 0) continue;
    }
    if (calls.length === 0) {
      if (invalidAnswer(new HumanMessage(`No tool was called. Call ${SUBMIT_DECISION} with the decision (or an evidence tool first).`))) return fallBack(`no decision after ${invalid} answers without a tool call`);
      continue;
    }
    let exhausted = false;
    for (const toolCall of calls) {
      const id = toolCall.id ?? `call-${call}`;
      if (exhausted) {
        messages.push(new ToolMessage({ content: "not run: the step ended", tool_call_id: id }));
        continue;
      }
      if (toolCall.name === SUBMIT_DECISION) {
        const parsed = request.schema.safeParse(toolCall.args);
        if (!parsed.success) {
          exhausted = invalidAnswer(new ToolMessage({ content: `invalid decision, fix it and call ${SUBMIT_DECISION} again:\n${validationError(parsed.error)}`, tool_call_id: id, status: "error" }));
          if (exhausted) return fallBack(`invalid decision after ${invalid} tries: ${validationError(parsed.error).split("\n")[0]}`);
          continue;
        }
        const broken = request.guard(parsed.data);
        if (broken) {
          warn(`[llm] ${request.agent}: decision REJECTED by the guard rails, the offline policy decides: ${broken}`);
          return { decision: request.policy(), mode: "rejected", note: broken, retries: invalid, usage };
        }
        return { decision: parsed.data, mode: "llm", note: null, retries: invalid, usage };
      }
      const evidence = request.tools.find((t) => t.name === toolCall.name);
      if (!evidence) {
        exhausted = invalidAnswer(new ToolMessage({ content: `unknown tool "${toolCall.name}"; the tools are ${[...request.tools.map((t) => t.name), SUBMIT_DECISION].join(", ")}`, tool_call_id: id, status: "error" }));
        continue;
      }
      try {
        const result = await evidence.invoke(toolCall.args);
        messages.push(new ToolMessage({ content: typeof result === "string" ? result : JSON.stringify(result), tool_call_id: id }));
      } catch (err) {
        exhausted = invalidAnswer(new ToolMessage({ content: `the call failed, fix its arguments: ${(err as Error).message}`, tool_call_id: id, status: "error" }));
      }
    }
    if (exhausted) return fallBack(`${invalid} invalid tool calls`);
  }
  return fallBack(`no decision within ${MAX_MODEL_CALLS} model calls`);
}
