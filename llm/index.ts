export { endpointChatModel } from "./chat-model.ts";
export { DATA_RULE, dataBlock } from "./data-block.ts";
export { type Decided, type DecisionRequest, decideWithLlm, type LlmDecider, SUBMIT_DECISION } from "./decide.ts";
export { defaultLlmMode, endpointConfigured, endpointSettings, type EndpointSettings, LlmAgent, LlmMode } from "./settings.ts";
export { decideStep, type LlmRun } from "./step.ts";
export { addUsage, DecisionMode, LlmUsage, mergeUsageByAgent, NO_USAGE, spentTokens, totalUsage } from "./usage.ts";
