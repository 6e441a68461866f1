/**
 * `npm run dev`: the LangGraph dev server over langgraph.json's graphs (maintain, cold_start,
 * evaluate), offline: analytics off, no browser, on a free port (or $PORT), bound to $HOST
 * (default 127.0.0.1). Prints the API URL, the Studio URL and how long it took to be ready; Ctrl-C
 * stops the whole process group. Threads live in .langgraph_api/ and survive a restart.
 */
import { spawn } from "node:child_process";
import { performance } from "node:perf_hooks";
import { freePort } from "../lib/free-port.ts";
import { langgraphServerReady } from "../lib/langgraph-health.ts";
import { REPO_ROOT } from "../lib/repo-root.ts";

const host = process.env.HOST ?? "127.0.0.1";
const port = process.env.PORT ? Number(process.env.PORT) : await freePort();
if (!Number.isInteger(port) || port <= 0) throw new Error(`PORT must be a port number, got "${process.env.PORT}"`);
const url = `http://${host}:${port}`;
const started = performance.now();

const server = spawn("npx", ["--no", "@langchain/langgraph-cli", "dev", "--no-browser", "--host", host, "--port", String(port)], {
  cwd: REPO_ROOT,
  env: { ...process.env, LANGGRAPH_CLI_NO_ANALYTICS: "1", BROWSER: "none" },
  stdio: ["ignore", "inherit", "inherit"],
  detached: true,
});
const stop = (signal: NodeJS.Signals) => {
  try {
    if (server.pid) process.kill(-server.pid, signal);
  } catch {
    // already gone
  }
};
process.on("SIGINT", () => stop("SIGTERM"));
process.on("SIGTERM", () => stop("SIGTERM"));
process.on("exit", () => stop("SIGKILL"));
server.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

while (!(await langgraphServerReady(url))) await new Promise((r) => setTimeout(r, 250));
const seconds = ((performance.now() - started) / 1000).toFixed(1);
console.log(`\n[pioneer dev] ready in ${seconds} s`);
console.log(`[pioneer dev] API:    ${url}  (graphs: curl -s -X POST ${url}/assistants/search -H 'Content-Type: application/json' -d '{}')`);
console.log(`[pioneer dev] Studio: https://smith.langchain.com/studio/?baseUrl=${encodeURIComponent(url)}`);
console.log("[pioneer dev] Ctrl-C stops it");
