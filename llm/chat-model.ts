import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { ChatOpenAI } from "@langchain/openai";
import type { EndpointSettings, LlmAgent } from "./settings.ts";

/** The agent's chat model on the configured OpenAI-compatible endpoint (chat completions with tool
 * calling, temperature 0; the client retries errors, 429s and timeouts with backoff). */
export function endpointChatModel(settings: EndpointSettings, agent: LlmAgent): BaseChatModel {
  return new ChatOpenAI({
    model: settings.models[agent],
    apiKey: settings.apiKey,
    temperature: 0,
    timeout: settings.timeoutMs,
    maxRetries: settings.maxRetries,
    ...(settings.baseURL ? { configuration: { baseURL: settings.baseURL } } : {}),
  });
}
