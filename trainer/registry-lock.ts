import { randomBytes } from "node:crypto";
import { link, mkdir, open, readFile, rename, rm, stat } from "node:fs/promises";
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
      await breakStale(lockPath);
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
 * Breaks a stale lock atomically: it is renamed away (of two breakers only one rename finds it),
 * and if what was moved is not the stale lock that was read (another process broke it and took a
 * fresh one in between), that fresh lock is linked back, which fails rather than overwrite a newer one.
 */
async function breakStale(lockPath: string): Promise<void> {
  const seen = await readFile(lockPath, "utf8").catch(() => null);
  if (seen === null) return;
  const moved = `${lockPath}.broken-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    await rename(lockPath, moved);
  } catch {
    return; // broken by someone else already
  }
  if ((await readFile(moved, "utf8").catch(() => seen)) !== seen) await link(moved, lockPath).catch(() => undefined);
  await rm(moved, { force: true });
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
