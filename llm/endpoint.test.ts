import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { freePort } from "../lib/free-port.ts";
import { OpenAiReplayServer, type ReplayStep } from "../test-support/openai-replay-server.ts";
import { endpointChatModel } from "./chat-model.ts";
import { decideWithLlm, SUBMIT_DECISION } from "./decide.ts";
import { endpointSettings } from "./settings.ts";

/** The `@langchain/openai` client over real HTTP against a local server that speaks the OpenAI
 * chat-completions protocol and replays scripted answers: requests, tool calls, usage, retries on
 * 429 and 5xx, unparseable bodies, a hanging request and a closed port. */
const Decision = z.object({ band: z.enum(["rebuild", "tune"]).describe("how far to go"), reason: z.string().describe("why") });
const POLICY = { band: "tune" as const, reason: "policy" };

let server: OpenAiReplayServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function decideAgainst(baseURL: string, env: Record<string, string> = {}) {
  const settings = endpointSettings({ OPENAI_BASE_URL: baseURL, PIONEER_MODEL: "replay-model", PIONEER_MODEL_PLANNER: "planner-model", PIONEER_LLM_RETRIES: "2", PIONEER_LLM_TIMEOUT_S: "1", ...env });
  const warnings: string[] = [];
  const started = performance.now();
  const out = await decideWithLlm(
    { model: endpointChatModel(settings, "planner"), maxTries: 2, warn: (m) => warnings.push(m) },
    { agent: "planner", instructions: "Choose the band.", data: { metric: 0.81, target: 0.9 }, tools: [], schema: Decision, policy: () => POLICY, guard: () => null },
  );
  return { out, warnings, seconds: (performance.now() - started) / 1000 };
}

const submit = (args: Record<string, unknown> | string): ReplayStep => ({ toolCall: { name: SUBMIT_DECISION, arguments: args } });

describe("the OpenAI-compatible endpoint path", () => {
  it("sends the agent's model, messages and tools, and takes a tool-call decision with its usage", async () => {
    server = await OpenAiReplayServer.start([submit({ band: "rebuild", reason: "9 points under target" })]);
    const { out } = await decideAgainst(server.baseURL);
    expect(out).toEqual({ decision: { band: "rebuild", reason: "9 points under target" }, mode: "llm", note: null, retries: 0, usage: expect.objectContaining({ calls: 1, tokens_in: 120, tokens_out: 30 }) });
    const [request] = server.requests;
    expect(request?.path).toBe("/v1/chat/completions");
    expect(request?.body.model).toBe("planner-model");
    expect(request?.body.tools?.map((t) => t.function.name)).toEqual([SUBMIT_DECISION]);
    expect(request?.body.messages?.map((m) => m.role)).toEqual(["system", "user"]);
    expect(String(request?.body.messages?.[1]?.content)).toMatch(/^<<<DATA-[0-9a-f]{12}\n/);
  });

  it("retries 429s (with and without Retry-After) and a 500 with backoff, then succeeds", async () => {
    server = await OpenAiReplayServer.start([{ status: 429, error: "rate limited", retryAfterS: 0 }, { status: 500, error: "overloaded" }, { status: 429, error: "rate limited" }, submit({ band: "tune", reason: "close" })]);
    const { out, warnings } = await decideAgainst(server.baseURL);
    expect(out.mode).toBe("llm");
    expect(server.requests).toHaveLength(4);
    expect(warnings).toEqual([expect.stringMatching(/rate limited .*retrying in 1000 ms/)]);
  });

  it("sends malformed tool arguments back to the model, then takes the retry", async () => {
    server = await OpenAiReplayServer.start([submit("{not json"), submit({ band: "tune", reason: "second try" })]);
    const { out } = await decideAgainst(server.baseURL);
    expect(out).toMatchObject({ mode: "llm", retries: 1, decision: { reason: "second try" } });
    const resent = server.requests[1]!.body.messages!;
    expect(resent.map((m) => m.role)).toEqual(["system", "user", "assistant", "tool"]);
  });

  it("falls back when every retry fails", async () => {
    server = await OpenAiReplayServer.start([{ status: 500, error: "down" }, { status: 500, error: "down" }, { status: 500, error: "down" }]);
    const { out, warnings } = await decideAgainst(server.baseURL);
    expect(out).toMatchObject({ decision: POLICY, mode: "fallback" });
    expect(out.note).toMatch(/the endpoint failed/);
    expect(server.requests).toHaveLength(3);
    expect(warnings.join("\n")).toMatch(/FALLBACK/);
  });

  it("falls back on a body that is not JSON", async () => {
    server = await OpenAiReplayServer.start([{ garbage: "<html>bad gateway</html>" }, { garbage: "<html>bad gateway</html>" }, { garbage: "<html>bad gateway</html>" }]);
    const { out } = await decideAgainst(server.baseURL);
    expect(out).toMatchObject({ decision: POLICY, mode: "fallback" });
  });

  it("gives up on a hanging endpoint after the timeout and its retries", async () => {
    server = await OpenAiReplayServer.start([{ hang: true }, { hang: true }, { hang: true }]);
    const { out, seconds } = await decideAgainst(server.baseURL, { PIONEER_LLM_RETRIES: "1" });
    expect(out).toMatchObject({ decision: POLICY, mode: "fallback", usage: { calls: 0 } });
    expect(out.note).toMatch(/timed out|timeout/i);
    expect(server.requests).toHaveLength(2);
    expect(out.usage.wall_ms).toBeGreaterThan(1900); // two 1 s timeouts: the cost of the dead endpoint
    expect(seconds).toBeLessThan(30); // 2 requests of 1 s each, plus backoff: bounded, never a hang
  });

  it("falls back at once on a closed port", async () => {
    const port = await freePort();
    const { out } = await decideAgainst(`http://127.0.0.1:${port}/v1`, { PIONEER_LLM_RETRIES: "0" });
    expect(out).toMatchObject({ decision: POLICY, mode: "fallback" });
    expect(out.note).toMatch(/the endpoint failed: .*(connect|Connection error)/i);
  });
});
