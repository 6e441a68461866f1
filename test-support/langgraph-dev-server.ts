import { fileURLToPath } from "node:url";
import { Client } from "@langchain/langgraph-sdk";
import { execa } from "execa";
import { freePort } from "../lib/free-port.ts";
import { LANGGRAPH_HEALTH_ROUTE as HEALTH_ROUTE, langgraphServerReady } from "../lib/langgraph-health.ts";

const POLL_MS = 500;
const KILL_GRACE_MS = 5000;
const GONE_WAIT_MS = 10_000;
const LOG_LINES_KEPT = 500;
const LOG_LINES_IN_ERRORS = 40;

const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));

export interface DevServerOptions {
  /** Folder holding `langgraph.json`; the server also keeps its state in `<cwd>/.langgraph_api`. */
  cwd?: string;
  /** Defaults to a free port (never 2024, which another process may hold). */
  port?: number;
  /** How long to wait for the health route before giving up. */
  timeoutMs?: number;
  /** Added to the server's environment (this process's environment is inherited). */
  env?: Record<string, string>;
  /** Hot reload on file changes; off by default so edits elsewhere in the tree cannot restart it mid-test. */
  reload?: boolean;
}

export interface DevServer {
  url: string;
  client: Client;
  /** Kills the whole process group (SIGTERM, SIGKILL after 5 s); resolves once it is gone. Idempotent. */
  stop(): Promise<void>;
  /** The server's recent stdout and stderr (last 500 lines, ANSI colors removed). */
  logs(): string;
}

/** The dev server exited or never became healthy; the message carries its last log lines. */
export class DevServerStartError extends Error {
  override name = "DevServerStartError";
  constructor(
    reason: string,
    readonly logTail: string,
  ) {
    super(
      `langgraph dev server ${reason}. Check langgraph.json and that the graph modules import cleanly ` +
        `(try \`npx @langchain/langgraph-cli dev --no-browser\` by hand). Last log lines:\n${logTail}`,
    );
  }
}

/** The process group could not be killed; a server may be left behind. */
export class DevServerStopError extends Error {
  override name = "DevServerStopError";
  constructor(pid: number) {
    super(`langgraph dev server process group ${pid} is still alive after SIGKILL; inspect it with \`ps -o pid,pgid,cmd -g ${pid}\` and kill it by hand`);
  }
}

/** Starts `langgraph dev` (the in-memory JS API server) as its own process group and waits until it is healthy. */
export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const cwd = options.cwd ?? REPO_ROOT;
  const port = options.port ?? (await freePort());
  const timeoutMs = options.timeoutMs ?? 120_000;
  const url = `http://127.0.0.1:${port}`;
  const args = ["--no", "@langchain/langgraph-cli", "dev", "--no-browser", "--host", "127.0.0.1", "--port", String(port)];
  if (!options.reload) args.push("--no-reload");

  const log = new LogBuffer(LOG_LINES_KEPT);
  const child = execa("npx", args, {
    cwd,
    env: { ...options.env, LANGGRAPH_CLI_NO_ANALYTICS: "1", BROWSER: "none" },
    detached: true,
    stdin: "ignore",
    buffer: false,
    reject: false,
    // Let the whole group go through stop(); execa's own cleanup would only signal the leader.
    cleanup: false,
  });
  const pid = child.pid;
  if (pid === undefined) {
    const result = await child;
    throw new DevServerStartError(`could not be spawned (${result.shortMessage ?? "no pid"})`, log.tail(LOG_LINES_IN_ERRORS));
  }
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => log.push(chunk));
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => log.push(chunk));
  let exitCode: number | string | undefined;
  const exited = child.then((result) => {
    exitCode = result.exitCode ?? result.signal ?? "unknown";
  });

  const killOnExit = (): void => signalGroup(pid, "SIGKILL");
  process.on("exit", killOnExit);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      try {
        await killGroup(pid);
        await exited;
      } finally {
        process.off("exit", killOnExit);
      }
    })();
    return stopping;
  };

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exitCode !== undefined) {
      await stop();
      throw new DevServerStartError(`exited with ${exitCode} before answering ${HEALTH_ROUTE}`, log.tail(LOG_LINES_IN_ERRORS));
    }
    if (await langgraphServerReady(url)) break;
    if (Date.now() >= deadline) {
      await stop();
      throw new DevServerStartError(`did not answer ${url}${HEALTH_ROUTE} within ${timeoutMs} ms`, log.tail(LOG_LINES_IN_ERRORS));
    }
    await sleep(POLL_MS);
  }

  return { url, client: new Client({ apiUrl: url, apiKey: null }), stop, logs: () => log.tail(LOG_LINES_KEPT) };
}

async function killGroup(pid: number): Promise<void> {
  signalGroup(pid, "SIGTERM");
  const started = Date.now();
  let killed = false;
  while (groupAlive(pid)) {
    const waited = Date.now() - started;
    if (!killed && waited >= KILL_GRACE_MS) {
      signalGroup(pid, "SIGKILL");
      killed = true;
    }
    if (waited >= KILL_GRACE_MS + GONE_WAIT_MS) throw new DevServerStopError(pid);
    await sleep(100);
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Keeps the last `max` lines of a stream of text chunks. */
class LogBuffer {
  private lines: string[] = [];
  private partial = "";
  constructor(private readonly max: number) {}

  push(chunk: string): void {
    // eslint-disable-next-line no-control-regex
    const parts = (this.partial + chunk.replace(/\x1b\[[0-9;]*m/g, "")).split(/\r?\n/);
    this.partial = parts.pop() ?? "";
    this.lines.push(...parts);
    if (this.lines.length > this.max) this.lines.splice(0, this.lines.length - this.max);
  }

  tail(n: number): string {
    const all = this.partial ? [...this.lines, this.partial] : this.lines;
    return all.slice(-n).join("\n");
  }
}
