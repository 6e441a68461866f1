import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "../lib/repo-root.ts";

export const WORKER_DIR = join(REPO_ROOT, "trainer", "worker");

/** The worker's interpreter: $PIONEER_PYTHON, else the venv scripts/setup.sh made, keyed by the
 * hash of requirements.lock (scripts/python-env.sh computes the same path). */
export function workerPython(): string {
  if (process.env.PIONEER_PYTHON) return process.env.PIONEER_PYTHON;
  const cacheDir =
    process.env.PIONEER_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "pioneer");
  const lockHash = createHash("sha256")
    .update(readFileSync(join(WORKER_DIR, "requirements.lock")))
    .digest("hex")
    .slice(0, 16);
  const python = join(cacheDir, `venv-${lockHash}`, "bin", "python");
  if (!existsSync(python)) {
    throw new Error(`the Python worker env is missing (${python}); run \`npm run setup\` first`);
  }
  return python;
}

/** Environment for a worker process: the package on PYTHONPATH, hub access off unless asked for. */
export function workerEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = { PYTHONPATH: WORKER_DIR, PYTHONUNBUFFERED: "1", ...extra };
  if (!process.env.PIONEER_HF_ONLINE) env.HF_HUB_OFFLINE = "1";
  return env;
}
