import { z } from "zod";

/** The agents that can decide (or, the chat agent, answer) through an LLM; each may have its own model. */
export const LlmAgent = z.enum(["planner", "diagnostician", "data_curator", "chat"]);
export type LlmAgent = z.infer<typeof LlmAgent>;

/** Who decides: `endpoint` an OpenAI-compatible chat model (guarded by the offline policies), `off`
 * the offline policies alone. */
export const LlmMode = z.enum(["off", "endpoint"]);
export type LlmMode = z.infer<typeof LlmMode>;

/** The endpoint, from the environment (never stored in a run: the key is a secret). */
export interface EndpointSettings {
  /** OPENAI_BASE_URL: any OpenAI-compatible server (vLLM, Ollama, llama.cpp, LM Studio, OpenRouter);
   * absent means OpenAI itself. */
  baseURL?: string;
  /** OPENAI_API_KEY; local servers that need none get a placeholder. */
  apiKey: string;
  /** PIONEER_MODEL, overridden per agent by PIONEER_MODEL_<AGENT> (e.g. PIONEER_MODEL_DIAGNOSTICIAN). */
  models: Record<LlmAgent, string>;
  /** PIONEER_LLM_TIMEOUT_S: one request's limit (default 60 s); a hanging endpoint costs at most
   * (retries + 1) times this. */
  timeoutMs: number;
  /** PIONEER_LLM_RETRIES: HTTP retries with backoff on errors, 429s and timeouts (default 2). */
  maxRetries: number;
}

export const DEFAULT_MODEL = "gpt-4o-mini";

/** Whether the environment names an endpoint (a key, or a base URL of a local server). */
export function endpointConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.OPENAI_API_KEY || env.OPENAI_BASE_URL);
}

/** The mode a run gets when its caller names none: an endpoint when one is configured, else off. */
export function defaultLlmMode(env: NodeJS.ProcessEnv = process.env): LlmMode {
  return endpointConfigured(env) ? "endpoint" : "off";
}

function positiveNumber(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name}=${raw}: expected a non-negative number`);
  return value;
}

export function endpointSettings(env: NodeJS.ProcessEnv = process.env): EndpointSettings {
  if (!endpointConfigured(env)) {
    throw new Error("--llm endpoint needs an OpenAI-compatible endpoint: set OPENAI_API_KEY (OpenAI), or OPENAI_BASE_URL (a local server such as Ollama or llama-server), or run with --llm off");
  }
  const model = env.PIONEER_MODEL || DEFAULT_MODEL;
  const models = Object.fromEntries(LlmAgent.options.map((agent) => [agent, env[`PIONEER_MODEL_${agent.toUpperCase()}`] || model])) as Record<LlmAgent, string>;
  return {
    ...(env.OPENAI_BASE_URL ? { baseURL: env.OPENAI_BASE_URL } : {}),
    apiKey: env.OPENAI_API_KEY || "not-needed",
    models,
    timeoutMs: positiveNumber(env, "PIONEER_LLM_TIMEOUT_S", 60) * 1000,
    maxRetries: Math.round(positiveNumber(env, "PIONEER_LLM_RETRIES", 2)),
  };
}
