import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { writeJsonAtomic } from "../lib/atomic-write.ts";
import type { JobSpecInput } from "../trainer/job-spec.ts";
import { type TrainResult, trainModel } from "../trainer/launcher.ts";
import type { WorkerRunOptions } from "../trainer/launcher.ts";

/**
 * Trains a benchmark model unless `out_dir` already holds one trained from the same spec on the same
 * data (benchmarks pass a persistent `--work` folder to iterate on one method without retraining the
 * others). The key is the spec, less its paths, plus a hash of the training file's content, so a
 * model directory copied from another work folder is reused too.
 */
export async function trainOnce(spec: JobSpecInput, options: Omit<WorkerRunOptions, "input"> = {}): Promise<TrainResult & { reused: boolean }> {
  const dataHash = createHash("sha256").update(await readFile(spec.train_path)).digest("hex");
  const { out_dir: _out, train_path: _train, ...recipe } = spec;
  const key = JSON.stringify({ spec: recipe, dataHash });
  const keyPath = join(spec.out_dir, "bench-key.json");
  const previous = await readFile(keyPath, "utf8").catch(() => null);
  if (previous !== null) {
    const saved = JSON.parse(previous) as { key: string; result: TrainResult };
    if (saved.key === key) return { ...saved.result, modelDir: spec.out_dir, reused: true };
  }
  const result = await trainModel(spec, options);
  await writeJsonAtomic(keyPath, { key, result });
  return { ...result, reused: false };
}
