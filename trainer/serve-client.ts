import { execa } from "execa";
import { z } from "zod";
import { type ClassificationPrediction, ClassificationPredictionSchema, type TokenPrediction, TokenPredictionSchema } from "../evals/types.ts";
import { workerEnv, workerPython } from "./python-env.ts";
import { WorkerCrashedError, WorkerProtocolError, WorkerReportedError } from "./worker-errors.ts";

const Reply = z.object({
  id: z.union([z.number(), z.string(), z.null()]),
  ok: z.boolean(),
  result: z.unknown().optional(),
  error: z.object({ type: z.string(), message: z.string() }).optional(),
});

type Pending = { resolve: (value: unknown) => void; reject: (err: Error) => void };

function spawnServe(args: string[]) {
  return execa(workerPython(), [...args, "serve"], { env: workerEnv(), stdin: "pipe", buffer: false, reject: false });
}

/** A long-lived worker in `serve` mode: models stay loaded between calls, so predict and embed
 * cost only the forward pass. One JSON request a line in, one JSON reply a line out. */
export class WorkerServer {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly stderrTail: string[] = [];
  private exited: Error | null = null;

  private constructor(private readonly child: ReturnType<typeof spawnServe>) {}

  /** Starts the worker and waits for its ready line. */
  static async start(options: { device?: "auto" | "cpu" | "cuda"; threads?: number } = {}): Promise<WorkerServer> {
    const args = ["-m", "pioneer_worker", "--device", options.device ?? "auto"];
    if (options.threads) args.push("--threads", String(options.threads));
    const server = new WorkerServer(spawnServe(args));
    const ready = new Promise<unknown>((resolve, reject) => server.pending.set(0, { resolve, reject }));
    server.listen();
    await ready;
    return server;
  }

  private listen(): void {
    this.child.stderr?.setEncoding("utf8");
    this.child.stderr?.on("data", (chunk: string) => {
      this.stderrTail.push(...chunk.split("\n").filter((l) => l.trim()));
      this.stderrTail.splice(0, Math.max(0, this.stderrTail.length - 40));
    });
    void (async () => {
      try {
        for await (const line of this.child.iterable({ from: "stdout" })) this.onLine(line);
      } catch {
        // ended by a kill; handled below
      }
      const result = await this.child;
      this.exited = new WorkerCrashedError(result.exitCode ?? null, result.signal ?? null, this.stderrTail.join("\n"));
      for (const p of this.pending.values()) p.reject(this.exited);
      this.pending.clear();
    })();
  }

  private onLine(line: string): void {
    if (!line.trim()) return;
    const reply = Reply.safeParse(JSON.parse(line));
    if (!reply.success) throw new WorkerProtocolError(line, "not a serve reply");
    const id = reply.data.id === null ? 0 : Number(reply.data.id);
    const waiter = this.pending.get(id);
    if (!waiter) return;
    this.pending.delete(id);
    if (reply.data.ok) waiter.resolve(reply.data.result);
    else waiter.reject(new WorkerReportedError(reply.data.error?.type ?? "Error", reply.data.error?.message ?? "", null, ""));
  }

  /** Sends one request; resolves with its result or rejects with the worker's error. */
  request(op: string, body: Record<string, unknown> = {}): Promise<unknown> {
    if (this.exited) return Promise.reject(this.exited);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.stdin?.write(`${JSON.stringify({ ...body, id, op })}\n`);
    });
  }

  async predictTexts(model: string, texts: string[], ids?: string[]): Promise<ClassificationPrediction[]> {
    const result = await this.request("predict", { model, texts, ids });
    return z.array(ClassificationPredictionSchema).parse(result);
  }

  async predictTokens(model: string, tokens: string[][], ids?: string[]): Promise<TokenPrediction[]> {
    const result = await this.request("predict", { model, tokens, ids });
    return z.array(TokenPredictionSchema).parse(result);
  }

  /** Forgets a loaded model, so the next request reads its directory again (a changed pioneer.json). */
  async unload(model: string): Promise<number> {
    return z.object({ unloaded: z.number() }).parse(await this.request("unload", { model })).unloaded;
  }

  /** Unit-length sentence embeddings (cosine similarity = dot product). */
  async embed(texts: string[], model = "minilm"): Promise<number[][]> {
    return z.array(z.array(z.number())).parse(await this.request("embed", { model, texts }));
  }

  async close(): Promise<void> {
    if (this.exited) return;
    await this.request("shutdown").catch(() => undefined);
    this.child.stdin?.end();
    await this.child;
  }

  /** Stops the worker at once (pending requests reject). */
  kill(): void {
    this.child.kill("SIGKILL");
  }
}
