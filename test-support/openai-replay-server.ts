import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { freePort } from "../lib/free-port.ts";

/** One scripted reply of the server. */
export type ReplayStep =
  | { toolCall: { name: string; arguments: Record<string, unknown> | string } }
  | { content: string }
  | { status: number; error: string; retryAfterS?: number }
  | { garbage: string }
  | { hang: true }
  /** A scripted answer worked out from the request (a teacher that reads what it is asked). */
  | { respond: (request: RecordedRequest) => ReplayStep };

export interface RecordedRequest {
  path: string;
  body: { model?: string; messages?: { role: string; content: unknown; tool_calls?: unknown[] }[]; tools?: { function: { name: string } }[] } & Record<string, unknown>;
}

/**
 * A local HTTP server that speaks the OpenAI chat-completions protocol (`POST /v1/chat/completions`)
 * and replays scripted replies in order: tool calls, text, HTTP errors (429, 500), a body that is not
 * JSON, or a request left hanging. It records every request, so tests exercise the real
 * `@langchain/openai` client — its requests, retries and timeouts — over real HTTP on a free port.
 */
export class OpenAiReplayServer {
  readonly requests: RecordedRequest[] = [];
  private readonly hanging = new Set<ServerResponse>();
  private calls = 0;

  private constructor(
    private readonly server: Server,
    readonly baseURL: string,
    private readonly script: ReplayStep[],
  ) {}

  static async start(script: ReplayStep[]): Promise<OpenAiReplayServer> {
    const port = await freePort();
    let replay: OpenAiReplayServer | undefined;
    const server = createServer((req, res) => void replay!.handle(req, res));
    replay = new OpenAiReplayServer(server, `http://127.0.0.1:${port}/v1`, script);
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => resolve());
    });
    return replay;
  }

  /** Scripted replies not yet sent. */
  get remaining(): number {
    return this.script.length;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let raw = "";
    for await (const chunk of req) raw += chunk;
    const path = req.url ?? "";
    if (req.method !== "POST" || !path.endsWith("/chat/completions")) {
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: `no route ${req.method} ${path}` } }));
      return;
    }
    this.requests.push({ path, body: JSON.parse(raw) as RecordedRequest["body"] });
    const next = this.script.shift();
    const step = next && "respond" in next ? next.respond(this.requests.at(-1)!) : next;
    const id = `chatcmpl-${++this.calls}`;
    const usage = { prompt_tokens: 120, completion_tokens: 30, total_tokens: 150 };
    const created = Math.floor(Date.now() / 1000);
    const model = this.requests.at(-1)?.body.model ?? "replay";
    const reply = (message: Record<string, unknown>, finish: string) => {
      if (this.requests.at(-1)?.body.stream === true) return streamReply(res, { id, created, model, usage }, message, finish);
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ id, object: "chat.completion", created, model, choices: [{ index: 0, message, finish_reason: finish }], usage }));
    };
    if (step === undefined) {
      res.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: "the replay script is exhausted", type: "server_error" } }));
    } else if ("hang" in step) {
      this.hanging.add(res);
      res.on("close", () => this.hanging.delete(res));
    } else if ("status" in step) {
      res.writeHead(step.status, { "content-type": "application/json", ...(step.retryAfterS !== undefined ? { "retry-after": String(step.retryAfterS) } : {}) }).end(JSON.stringify({ error: { message: step.error, type: "scripted" } }));
    } else if ("garbage" in step) {
      res.writeHead(200, { "content-type": "application/json" }).end(step.garbage);
    } else if ("respond" in step) {
      throw new Error("a respond step must answer with another kind of step");
    } else if ("content" in step) {
      reply({ role: "assistant", content: step.content }, "stop");
    } else {
      const args = typeof step.toolCall.arguments === "string" ? step.toolCall.arguments : JSON.stringify(step.toolCall.arguments);
      reply({ role: "assistant", content: null, tool_calls: [{ id: `call_${this.calls}`, type: "function", function: { name: step.toolCall.name, arguments: args } }] }, "tool_calls");
    }
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A reply as server-sent events, as the endpoint streams it when the request says `stream: true`
 * (LangGraph's server streams chat models to relay their tokens): the message as one delta (tool
 * calls with their index), the finish reason, the usage, then [DONE]. */
function streamReply(res: ServerResponse, c: { id: string; created: number; model: string; usage: Record<string, number> }, message: Record<string, unknown>, finish: string): void {
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) => `data: ${JSON.stringify({ id: c.id, object: "chat.completion.chunk", created: c.created, model: c.model, choices, ...extra })}\n\n`;
  const toolCalls = (message.tool_calls as Record<string, unknown>[] | undefined)?.map((call, index) => ({ index, ...call }));
  const delta = { role: "assistant", ...(message.content ? { content: message.content } : {}), ...(toolCalls ? { tool_calls: toolCalls } : {}) };
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  res.write(chunk([{ index: 0, delta, finish_reason: null }]));
  res.write(chunk([{ index: 0, delta: {}, finish_reason: finish }]));
  res.write(chunk([], { usage: c.usage }));
  res.end("data: [DONE]\n\n");
}
