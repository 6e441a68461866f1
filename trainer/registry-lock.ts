import { randomBytes } from "node:crypto";
import { mkdir, open, readFile, rm, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { RegistryLockTimeoutError } from "./registry-errors.ts";

export interface LockOptions {
  /** Give up after waiting this long (default 10 s). */
  timeoutMs?: number;
  /** A lock file older than this is left over from a crash and is broken (default 30 s). */
  staleMs?: number;
  /** Base pause between attempts; a random jitter of the same size is added (default 15 ms). */
  retryMs?: number;
}

const DEFAULTS = { timeoutMs: 10_000, staleMs: 30_000, retryMs: 15 } satisfies Required<LockOptions>;

/** Runs `fn` while holding `lockPath`, a file created with the exclusive `wx` flag, so writers in
 * any process are serialized. The lock holds a random token and is only removed by its owner. */
export async function withFileLock<T>(lockPath: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const token = await acquire(lockPath, { ...DEFAULTS, ...options });
  try {
    return await fn();
  } finally {
    await release(lockPath, token);
  }
}

async function acquire(lockPath: string, opts: Required<LockOptions>): Promise<string> {
  const token = `${process.pid}:${randomBytes(8).toString("hex")}`;
  const started = Date.now();
  await mkdir(dirname(lockPath), { recursive: true });
  for (;;) {
    try {
      const handle = await open(lockPath, "wx");
      try {
        await handle.writeFile(JSON.stringify({ token, pid: process.pid, at: new Date().toISOString() }));
      } finally {
        await handle.close();
      }
      return token;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    if (await isStale(lockPath, opts.staleMs)) {
      await breakStale(lockPath, opts.staleMs);
      await sleep(Math.random() * opts.retryMs);
      continue;
    }
    const waited = Date.now() - started;
    if (waited >= opts.timeoutMs) throw new RegistryLockTimeoutError(lockPath, waited);
    await sleep(opts.retryMs + Math.random() * opts.retryMs);
  }
}

async function isStale(lockPath: string, staleMs: number): Promise<boolean> {
  try {
    const info = await stat(lockPath);
    return Date.now() - info.mtimeMs > staleMs;
  } catch {
    return false; // gone already: the next attempt will take it
  }
}

/**
 * Breaks a stale lock, one breaker at a time: a breaker first takes `<lock>.breaking` (exclusive
 * create), then checks again that the lock is stale and removes it. Only breakers remove a lock they
 * do not own, and they take turns, so the lock seen stale cannot have been replaced by a fresh one
 * before it is removed. A `.breaking` file left by a breaker that crashed is itself broken once stale.
 */
async function breakStale(lockPath: string, staleMs: number): Promise<void> {
  const breaking = `${lockPath}.breaking`;
  try {
    await (await open(breaking, "wx")).close();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    if (await isStale(breaking, staleMs)) await rm(breaking, { force: true });
    return; // another breaker is at it; the caller retries
  }
  try {
    if (await isStale(lockPath, staleMs)) await rm(lockPath, { force: true });
  } finally {
    await rm(breaking, { force: true });
  }
}

async function release(lockPath: string, token: string): Promise<void> {
  let contents: string;
  try {
    contents = await readFile(lockPath, "utf8");
  } catch {
    return; // broken as stale by someone else
  }
  if (contents.includes(token)) await rm(lockPath, { force: true });
}
