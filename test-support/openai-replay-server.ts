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
    const reply = (message: Record<string, unknown>, finish: string) =>
      res.writeHead(200, { "content-type": "application/json" }).end(
        JSON.stringify({ id, object: "chat.completion", created: Math.floor(Date.now() / 1000), model: this.requests.at(-1)?.body.model ?? "replay", choices: [{ index: 0, message, finish_reason: finish }], usage }),
      );
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
