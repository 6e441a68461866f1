import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { endpointChatModel } from "../llm/chat-model.ts";
import { type EndpointSettings, endpointSettings, type LlmAgent } from "../llm/settings.ts";
import type { LlmRun } from "../llm/step.ts";
import { RunResources, resourceOptions } from "../run/resources.ts";
import type { MaintainInput } from "./maintain-input.ts";

/** What a caller may put in `config.configurable` next to LangGraph's own keys (`thread_id`). */
export interface MaintainConfigurable {
  /** The live resources of the run (worker, memory, registry), opened and closed by the caller. */
  resources?: RunResources;
  /** The chat model agents decide with when the run's mode is `endpoint`, instead of the one the
   * environment configures (a scripted model in tests; one model, or one per agent). */
  chatModel?: BaseChatModel | ((agent: LlmAgent) => BaseChatModel);
}

/** The run's configuration with every default filled in. */
export interface MaintainConfiguration {
  resources: RunResources;
  /** The agents' LLM, or null when the policies decide alone (`--llm off`). */
  llm: LlmRun | null;
}

/** The agents' LLM for a run in `endpoint` mode: the caller's chat model, else the environment's
 * OpenAI-compatible endpoint. */
export function llmRunOf(input: Pick<MaintainInput, "llm" | "llm_max_tries" | "llm_budget_tokens">, configurable: MaintainConfigurable | undefined): LlmRun | null {
  if (input.llm !== "endpoint") return null;
  const given = configurable?.chatModel;
  let modelFor: (agent: LlmAgent) => BaseChatModel;
  if (given) {
    modelFor = typeof given === "function" ? given : () => given;
  } else {
    // Read from the environment when first needed: a run resumed without the endpoint's variables
    // falls back to the policies step by step (counted), instead of failing in every node.
    let settings: EndpointSettings | undefined;
    const models = new Map<LlmAgent, BaseChatModel>();
    modelFor = (agent) => {
      settings ??= endpointSettings();
      return models.get(agent) ?? models.set(agent, endpointChatModel(settings, agent)).get(agent)!;
    };
  }
  return { modelFor, maxTries: input.llm_max_tries, budgetTokens: input.llm_budget_tokens ?? null };
}

/** Resources opened for callers that cannot pass live objects: the LangGraph server hands a graph
 * JSON configuration only, so one server process keeps one set per memory and registry folder. */
const serverResources = new Map<string, Promise<RunResources>>();

function openForServer(input: MaintainInput): Promise<RunResources> {
  const options = resourceOptions(input);
  const key = `${options.memoryDir}|${options.registryDir}`;
  let resources = serverResources.get(key);
  if (!resources) {
    resources = RunResources.open(options);
    serverResources.set(key, resources);
    resources.catch(() => serverResources.delete(key));
  }
  return resources;
}

/** The one place a node gets its configuration from: the caller's resources, which must serve the
 * run's memory and registry, else (the LangGraph server) the server process's own; and the agents'
 * LLM, by the run's mode. */
export async function ensureConfiguration(config: LangGraphRunnableConfig | undefined, input: MaintainInput): Promise<MaintainConfiguration> {
  const configurable = config?.configurable as MaintainConfigurable | undefined;
  const llm = llmRunOf(input, configurable);
  const given = configurable?.resources;
  if (given) {
    const wanted = resourceOptions(input);
    if (!given.serves(wanted)) {
      throw new Error(`the resources passed in the configuration serve memory ${given.options.memoryDir} and registry ${given.options.registryDir}, but the run uses memory ${wanted.memoryDir} and registry ${wanted.registryDir}`);
    }
    return { resources: given, llm };
  }
  return { resources: await openForServer(input), llm };
}
