import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { BaseCheckpointSaver } from "@langchain/langgraph";
import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import { SqliteSaver } from "@langchain/langgraph-checkpoint-sqlite";
import { writeJsonAtomic } from "../lib/atomic-write.ts";

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

/** The environment variable that chooses where CLI runs keep their checkpoints: a `postgres://` URL
 * (a team's database: threads survive the machine, several people see the same runs), or unset or
 * `sqlite` for the run folder's own SQLite file (the default). */
export const CHECKPOINTER_ENV = "PIONEER_CHECKPOINTER";
const SQLITE_FILE = "checkpoints.sqlite";
/** A run whose checkpoints live elsewhere records where (never the password) and its thread id. */
const ELSEWHERE_FILE = "checkpoints.json";

interface ElsewhereRecord {
  store: "postgres";
  thread_id: string;
  url: string;
}

export interface RunCheckpoints {
  saver: BaseCheckpointSaver;
  threadId: string;
  /** Where they are, for messages: the SQLite file or the database URL without its password. */
  where: string;
  close(): Promise<void>;
}

/** Whether a run folder holds a checkpointed run (in its SQLite file, or recorded as elsewhere). */
export function hasRunCheckpoints(runDir: string): boolean {
  return existsSync(join(runDir, SQLITE_FILE)) || existsSync(join(runDir, ELSEWHERE_FILE));
}

function withoutPassword(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = "***";
  return parsed.toString();
}

function postgresUrl(): string | null {
  const value = process.env[CHECKPOINTER_ENV]?.trim();
  if (!value || value === "sqlite") return null;
  if (!/^postgres(ql)?:\/\//.test(value)) throw new Error(`${CHECKPOINTER_ENV} must be a postgres:// URL or "sqlite", got "${value.slice(0, 40)}"`);
  return value;
}

async function openPostgres(url: string, threadId: string): Promise<RunCheckpoints> {
  const saver = PostgresSaver.fromConnString(url);
  try {
    await saver.setup();
  } catch (err) {
    await saver.end().catch(() => undefined);
    throw new Error(`cannot open the checkpoint database ${withoutPassword(url)} (${CHECKPOINTER_ENV}): ${(err as Error).message}`);
  }
  return { saver, threadId, where: withoutPassword(url), close: () => saver.end() };
}

/**
 * The checkpoints of the run in `runDir`. A new run (`create`) goes to Postgres when
 * $PIONEER_CHECKPOINTER is a postgres:// URL, recording that in the folder with a thread id unique
 * across the database, else to the folder's SQLite file (thread id: the folder's name). An existing
 * run opens where it started; one in Postgres needs the variable set again to resume.
 */
export async function openRunCheckpoints(runDir: string, options: { create: boolean }): Promise<RunCheckpoints> {
  const elsewhere = join(runDir, ELSEWHERE_FILE);
  if (existsSync(elsewhere)) {
    const record = JSON.parse(readFileSync(elsewhere, "utf8")) as ElsewhereRecord;
    const url = postgresUrl();
    if (!url) throw new Error(`the run in ${runDir} keeps its checkpoints in Postgres (${record.url}); set ${CHECKPOINTER_ENV} to that database's URL to open it`);
    return openPostgres(url, record.thread_id);
  }
  const url = options.create ? postgresUrl() : null;
  if (url) {
    const threadId = `${basename(runDir)}-${randomUUID().slice(0, 8)}`;
    const opened = await openPostgres(url, threadId);
    mkdirSync(runDir, { recursive: true });
    await writeJsonAtomic(elsewhere, { store: "postgres", thread_id: threadId, url: opened.where } satisfies ElsewhereRecord);
    return opened;
  }
  const path = join(runDir, SQLITE_FILE);
  const saver = openCheckpointer(path);
  return { saver, threadId: basename(runDir), where: path, close: async () => saver.db.close() };
}
