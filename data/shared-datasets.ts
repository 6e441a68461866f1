import { join, resolve } from "node:path";
import { REPO_ROOT } from "../lib/repo-root.ts";

/** The shared real data sets: $PIONEER_DATASETS, else ../shared/datasets next to the repo. */
export function datasetsDir(): string {
  return process.env.PIONEER_DATASETS ?? resolve(REPO_ROOT, "..", "shared", "datasets");
}

export function datasetPath(name: string, split: string): string {
  return join(datasetsDir(), name, `${split}.jsonl`);
}
