import { existsSync, readFileSync } from "node:fs";
import { mkdir, open, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { spawn } from "node:child_process";
import { REPO_ROOT } from "../lib/repo-root.ts";

/** A run started or continued in the background (by the chat agent): the `pioneer` CLI in its own
 * process, detached, so it outlives the chat turn and the server that started it, writing the same
 * run folder as a run started by hand, plus these three files. Its own process also keeps the run's
 * graph out of the chat graph's LangGraph context (a graph resumed inside another graph's node
 * would be taken for its subgraph). */
export const LAUNCH_FILE = "launch.json";
export const RUN_LOG_FILE = "run.log";
export const EXIT_CODE_FILE = "exit-code";

export const LAUNCHABLE = ["maintain", "cold-start"] as const;
export type LaunchCommand = (typeof LAUNCHABLE)[number];

/** The launcher sets these itself: a launched run gets a fresh folder under the runs folder. */
const RESERVED_FLAGS = new Set(["run-dir", "resume", "registry", "json"]);

export type LaunchOptions = Record<string, string | number | boolean>;

export interface LaunchRecord {
  command: LaunchCommand;
  argv: string[];
  by: string;
  pid: number;
  started_at: string;
}

export interface LaunchedRun {
  id: string;
  dir: string;
  pid: number;
  /** Set when the process ended within the wait (a usage error, a missing file, or a very short run). */
  exit: { code: number; log_tail: string } | null;
}

/** `--flag=value` for each option (so a value that starts with "-" stays a value); `--flag` for true. */
export function launchArgv(options: LaunchOptions): string[] {
  return Object.entries(options).flatMap(([flag, value]) => {
    if (!/^[a-z][a-z0-9-]*$/.test(flag)) throw new Error(`"${flag}" is not an option name (lowercase words joined by "-", without the leading --)`);
    if (RESERVED_FLAGS.has(flag)) throw new Error(`--${flag} is set by the launcher (each launched run gets its own folder under the runs folder and the server's registry)`);
    if (value === false) return [];
    return value === true ? [`--${flag}`] : [`--${flag}=${value}`];
  });
}

/** Exit code and log tail once the run's process has ended, else null. */
export async function launchExit(dir: string): Promise<{ code: number; log_tail: string } | null> {
  const path = join(dir, EXIT_CODE_FILE);
  if (!existsSync(path)) return null;
  const code = Number((await readFile(path, "utf8")).trim());
  return { code: Number.isFinite(code) ? code : -1, log_tail: await logTail(dir) };
}

export async function logTail(dir: string, lines = 15): Promise<string> {
  const path = join(dir, RUN_LOG_FILE);
  if (!existsSync(path)) return "";
  // Progress bars redraw with \r: keep what each line ended as.
  const text = (await readFile(path, "utf8")).split("\n").map((l) => l.split("\r").at(-1) ?? "");
  return text.filter((l) => l.trim()).slice(-lines).join("\n");
}

/** The launch record of a run folder, or null when the run was not launched in the background (or
 * its record cannot be read: it is rewritten only whole, so that means none). Synchronous: it is a
 * few hundred bytes, and telling a run folder's kind needs it. */
export function readLaunch(dir: string): LaunchRecord | null {
  try {
    return JSON.parse(readFileSync(join(dir, LAUNCH_FILE), "utf8")) as LaunchRecord;
  } catch {
    return null;
  }
}

/** Spawns `pioneer <argv>` detached, appending to the run's log; the shell records the exit code. */
async function spawnPioneer(dir: string, argv: string[]): Promise<number> {
  await rm(join(dir, EXIT_CODE_FILE), { force: true });
  const log = await open(join(dir, RUN_LOG_FILE), "a");
  // The shell outlives node only to write the exit code, which tells a finished run from a crashed one.
  // The exit file's path goes through the environment, so no path is ever parsed as shell text.
  const child = spawn("sh", ["-c", '"$0" "$@"; echo $? > "$PIONEER_EXIT_CODE_FILE"', process.execPath, join(REPO_ROOT, "cli/bin.js"), ...argv], {
    cwd: process.cwd(),
    env: { ...process.env, PIONEER_EXIT_CODE_FILE: join(dir, EXIT_CODE_FILE) },
    detached: true,
    stdio: ["ignore", log.fd, log.fd],
  });
  await log.close();
  if (child.pid === undefined) throw new Error(`could not start pioneer ${argv[0]} (sh did not spawn)`);
  child.unref();
  return child.pid;
}

/** Waits up to waitMs for the run's process to end. */
async function waitForExit(dir: string, waitMs: number): Promise<{ code: number; log_tail: string } | null> {
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline) {
    const exit = await launchExit(dir);
    if (exit) return exit;
    await new Promise((r) => setTimeout(r, 250));
  }
  return null;
}

/** Answers what a run waits for in a background `pioneer runs approve|reject`, so the rest of the
 * run (the promotion, further rounds) goes on after the chat turn; the run's launch record then
 * names that process. */
export async function continueRun(o: { dir: string; approved: boolean; by: string; reason?: string | undefined; waitMs?: number }): Promise<{ pid: number; exit: { code: number; log_tail: string } | null }> {
  const argv = ["runs", o.approved ? "approve" : "reject", o.dir, `--by=${o.by}`, ...(o.reason ? [`--reason=${o.reason}`] : [])];
  const pid = await spawnPioneer(o.dir, argv);
  const earlier = readLaunch(o.dir);
  const record: LaunchRecord = { command: earlier?.command ?? "maintain", argv, by: o.by, pid, started_at: new Date().toISOString() };
  await writeFile(join(o.dir, LAUNCH_FILE), `${JSON.stringify(record, null, 2)}\n`);
  return { pid, exit: await waitForExit(o.dir, o.waitMs ?? 3000) };
}

/** Starts `pioneer <command> <options> --run-dir RUNS/<command>-<time> --registry REGISTRY` in the
 * background and waits up to `waitMs` for an early exit, so a wrong option or a missing file is
 * answered at once instead of found later in the log. */
export async function launchRun(o: { command: LaunchCommand; options: LaunchOptions; runsDir: string; registryDir: string; by: string; waitMs?: number }): Promise<LaunchedRun> {
  if (!LAUNCHABLE.includes(o.command)) throw new Error(`cannot launch "${o.command}"; the commands are ${LAUNCHABLE.join(", ")}`);
  const id = `${o.command}-${new Date().toISOString().replace(/[:.]/g, "-")}`;
  const dir = join(o.runsDir, id);
  const argv = [o.command, ...launchArgv(o.options), `--run-dir=${dir}`, `--registry=${o.registryDir}`];
  await mkdir(dir, { recursive: true });
  const pid = await spawnPioneer(dir, argv);
  const record: LaunchRecord = { command: o.command, argv, by: o.by, pid, started_at: new Date().toISOString() };
  await writeFile(join(dir, LAUNCH_FILE), `${JSON.stringify(record, null, 2)}\n`);
  return { id, dir, pid, exit: await waitForExit(dir, o.waitMs ?? 8000) };
}
