import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { SqliteSaver } from "@langchain/langgraph-checkpoint-sqlite";

/** Opens (creating if needed) the SQLite file that holds graph checkpoints.
 *
 * Why SQLite and not the in-memory saver: `pioneer` CLI runs are separate processes that may be killed
 * mid-run (Ctrl-C, OOM, a crashed worker). With checkpoints on disk, the next process resumes the same
 * run from its thread id (`graph.invoke(null, { configurable: { thread_id } })`) instead of starting over,
 * and without a server: one local file, no daemon, safe to delete. */
export function openCheckpointer(path: string): SqliteSaver {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  return SqliteSaver.fromConnString(path);
}
