import { mkdtemp, readFile, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RegistryLockTimeoutError } from "./registry-errors.ts";
import { withFileLock } from "./registry-lock.ts";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "pioneer-lock-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("withFileLock", () => {
  it("serializes read-modify-write cycles", async () => {
    const lock = join(dir, ".lock");
    const counter = join(dir, "counter");
    await writeFile(counter, "0");
    await Promise.all(
      Array.from({ length: 20 }, () =>
        withFileLock(lock, async () => {
          const n = Number(await readFile(counter, "utf8"));
          await sleep(2);
          await writeFile(counter, String(n + 1));
        }),
      ),
    );
    expect(await readFile(counter, "utf8")).toBe("20");
  });

  it("removes the lock afterwards, also when fn throws", async () => {
    const lock = join(dir, "sub", ".lock");
    await expect(withFileLock(lock, async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    await expect(readFile(lock)).rejects.toMatchObject({ code: "ENOENT" });
    expect(await withFileLock(lock, async () => 42)).toBe(42);
  });

  it("breaks a stale lock", async () => {
    const lock = join(dir, ".lock");
    await writeFile(lock, "left over by a crash");
    const old = new Date(Date.now() - 60_000);
    await utimes(lock, old, old);
    expect(await withFileLock(lock, async () => "got it", { timeoutMs: 200 })).toBe("got it");
  });

  it("lets one holder at a time through when many break the same stale lock at once", async () => {
    const lock = join(dir, ".lock");
    await writeFile(lock, "left over by a crash");
    const old = new Date(Date.now() - 60_000);
    await utimes(lock, old, old);
    let inside = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 12 }, () =>
        withFileLock(lock, async () => {
          inside++;
          most = Math.max(most, inside);
          await sleep(3);
          inside--;
        }, { timeoutMs: 5000 }),
      ),
    );
    expect(most).toBe(1);
    await expect(readFile(lock)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("times out on a fresh lock held by someone else, naming the lock file", async () => {
    const lock = join(dir, ".lock");
    await writeFile(lock, "held");
    const err = await withFileLock(lock, async () => "never", { timeoutMs: 100 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryLockTimeoutError);
    expect((err as RegistryLockTimeoutError).lockFile).toBe(lock);
    expect((err as Error).message).toContain(lock);
    expect(await readFile(lock, "utf8")).toBe("held"); // not ours: left alone
  });
});
