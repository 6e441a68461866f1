import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { AIMessage, type BaseMessage, SystemMessage, ToolMessage } from "@langchain/core/messages";
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { endpointChatModel } from "../../llm/chat-model.ts";
import { DATA_RULE } from "../../llm/data-block.ts";
import { endpointConfigured, endpointSettings } from "../../llm/settings.ts";
import { answerCommand, COMMANDS_HELP, parseCommand } from "./commands.ts";
import { type ChatConfigurable, chatContextOf } from "./context.ts";
import { chatTools } from "./tools.ts";

/** Model calls one answer may take (each tool round trip is one). */
const MAX_MODEL_CALLS = 8;

const SYSTEM_PROMPT = `You are Pioneer's assistant. Pioneer keeps small language models good in production: maintenance runs diagnose failures, curate data, fine-tune candidates, gate them against regressions and promote only what passes; a person may have to approve a promotion.
Answer questions about runs, models and decisions only from what your tools return, and cite ids (run ids, model version ids, round numbers, example ids). Say so when the tools do not tell. Start a run, approve or reject only when the user asks for that explicitly; a started run goes on in the background, so give its run id and follow it when asked.
${DATA_RULE}`;

function textOf(message: BaseMessage | undefined): string {
  if (!message) return "";
  return typeof message.content === "string" ? message.content : message.content.map((part) => ("text" in part ? String(part.text) : "")).join("");
}

function chatModelOf(configurable: ChatConfigurable | undefined): BaseChatModel | null {
  if (configurable?.chatModel) return configurable.chatModel;
  return endpointConfigured() ? endpointChatModel(endpointSettings(), "chat") : null;
}

/** One turn: a command is answered directly (with or without a model); free text goes to the
 * LLM with its tools, or, with no model configured, gets the list of commands. */
export async function chatNode(state: { messages: BaseMessage[] }, config?: LangGraphRunnableConfig): Promise<{ messages: BaseMessage[] }> {
  const ctx = chatContextOf(config);
  const text = textOf(state.messages.at(-1)).trim();
  const command = parseCommand(text);
  if (command) return { messages: [new AIMessage(await answerCommand(command, ctx))] };
  const model = chatModelOf(config?.configurable as ChatConfigurable | undefined);
  if (!model) {
    return { messages: [new AIMessage(`Free text needs a language model: set OPENAI_BASE_URL (an OpenAI-compatible server) or OPENAI_API_KEY, and PIONEER_MODEL. Without one I answer these commands:\n${COMMANDS_HELP}`)] };
  }
  const tools = chatTools(ctx);
  const bound = model.bindTools!(tools);
  const added: BaseMessage[] = [];
  for (let call = 0; call < MAX_MODEL_CALLS; call++) {
    const answer = (await bound.invoke([new SystemMessage(SYSTEM_PROMPT), ...state.messages, ...added])) as AIMessage;
    added.push(answer);
    if (!answer.tool_calls?.length) return { messages: added };
    for (const toolCall of answer.tool_calls) {
      const found = tools.find((t) => t.name === toolCall.name);
      const content = found ? String(await found.invoke(toolCall.args)) : `error: there is no tool "${toolCall.name}"; the tools are ${tools.map((t) => t.name).join(", ")}`;
      added.push(new ToolMessage({ content, tool_call_id: toolCall.id ?? toolCall.name, name: toolCall.name }));
    }
  }
  added.push(new AIMessage(`I stopped after ${MAX_MODEL_CALLS} steps without an answer; ask a narrower question, or use a command:\n${COMMANDS_HELP}`));
  return { messages: added };
}
