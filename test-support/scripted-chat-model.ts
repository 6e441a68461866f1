import { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { AIMessage, type BaseMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";

/** One scripted answer: a message, a function of what the model was sent, or an error to throw. */
export type ScriptStep = AIMessage | ((messages: readonly BaseMessage[]) => AIMessage) | Error;

let nextCallId = 1;

/** An answer that calls one tool, with token usage as an endpoint would report it. */
export function toolCallMessage(name: string, args: Record<string, unknown>, usage = { input_tokens: 100, output_tokens: 20 }): AIMessage {
  return new AIMessage({
    content: "",
    tool_calls: [{ name, args, id: `call_${nextCallId++}`, type: "tool_call" }],
    usage_metadata: { ...usage, total_tokens: usage.input_tokens + usage.output_tokens },
  });
}

/** An answer in plain text, no tool call. */
export function textMessage(content: string, usage = { input_tokens: 100, output_tokens: 20 }): AIMessage {
  return new AIMessage({ content, usage_metadata: { ...usage, total_tokens: usage.input_tokens + usage.output_tokens } });
}

/**
 * A chat model that replays a script of answers with real `tool_calls` (LangChain's fake streaming
 * model drops them) and records what it was sent and which tools were bound. A script per agent
 * lets one instance stand for every agent of a graph run.
 */
export class ScriptedChatModel extends BaseChatModel {
  readonly received: BaseMessage[][] = [];
  boundTools: string[] = [];

  constructor(private readonly script: ScriptStep[]) {
    super({});
  }

  _llmType(): string {
    return "scripted";
  }

  /** Steps not yet answered. */
  get remaining(): number {
    return this.script.length;
  }

  override bindTools(tools: { name?: string }[]): this {
    this.boundTools = tools.map((t) => t.name ?? "?");
    return this;
  }

  async _generate(messages: BaseMessage[]): Promise<ChatResult> {
    this.received.push([...messages]);
    const step = this.script.shift();
    if (step === undefined) throw new Error(`the script has no answer left (call ${this.received.length})`);
    if (step instanceof Error) throw step;
    const message = typeof step === "function" ? step(messages) : step;
    return { generations: [{ message, text: typeof message.content === "string" ? message.content : "" }] };
  }
}
