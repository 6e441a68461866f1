import { resolve } from "node:path";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { ModelRegistry } from "../../trainer/registry.ts";

/** What a caller may put in the chat graph's `config.configurable`. */
export interface ChatConfigurable {
  /** The folder of run folders (default $PIONEER_RUNS or ./runs, from the server's working folder). */
  runs_dir?: string;
  /** The model registry (default $PIONEER_REGISTRY or ./.pioneer/registry). */
  registry_dir?: string;
  /** The LanceDB memory runs started from the chat write to and memory questions search
   * (default $PIONEER_MEMORY or ./.pioneer/memory). */
  memory_dir?: string;
  /** Who is chatting, recorded on what they approve or reject (default "chat"). */
  user?: string;
  /** The chat model instead of the environment's endpoint (a scripted model in tests). */
  chatModel?: BaseChatModel;
}

/** Where the chat agent looks and who it answers for. */
export interface ChatContext {
  runsDir: string;
  registry: ModelRegistry;
  memoryDir: string;
  user: string;
}

export function chatContextOf(config: LangGraphRunnableConfig | undefined): ChatContext {
  const c = (config?.configurable ?? {}) as ChatConfigurable;
  return {
    runsDir: resolve(c.runs_dir ?? process.env.PIONEER_RUNS ?? "runs"),
    registry: new ModelRegistry(resolve(c.registry_dir ?? process.env.PIONEER_REGISTRY ?? ".pioneer/registry")),
    memoryDir: resolve(c.memory_dir ?? process.env.PIONEER_MEMORY ?? ".pioneer/memory"),
    user: c.user ?? "chat",
  };
}
