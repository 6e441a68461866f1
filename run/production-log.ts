import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { type ClassificationExample, DataFileError, groupBy, readExamples, seededShuffle, writeExamplesJsonl } from "../data/index.ts";
import { writeJsonAtomic } from "../lib/atomic-write.ts";

/** A deployed classifier's production log: every logged query with the model's prediction (`pred`)
 * and its gold label, split by maintenance into the three sets it needs. */

/** Share of the log held out as the production dev set (from the failures and the successes alike). */
export const PRODUCTION_DEV_SHARE = 0.2;

export interface LogSplitRecord {
  log: string;
  seed: number;
  dev_share: number;
  entries: number;
  /** How many the deployed model got right in the whole log: its production accuracy. */
  right: number;
  failures: number;
  regression: number;
  dev: { n: number; right: number };
  files: { failures: string; regression: string; dev: string };
}

export interface LogSplit {
  failures: ClassificationExample[];
  regression: ClassificationExample[];
  dev: ClassificationExample[];
}

/** Reads a log: classification JSONL or CSV whose every entry has the deployed model's `pred`. */
export async function readProductionLog(path: string): Promise<ClassificationExample[]> {
  const dataset = await readExamples(path, { kind: "classification" });
  const entries = dataset.examples as ClassificationExample[];
  entries.forEach((entry, index) => {
    if (entry.pred === undefined || entry.pred === "") {
      throw new DataFileError({ file: path, line: dataset.lines?.[index] ?? null, field: "pred", problem: "is missing: a production log holds what the deployed model predicted next to the gold label", hint: 'write each entry as {"text", "label", "pred"}; or pass the failures and the regression set with --failures and --regression' });
    }
  });
  if (entries.length === 0) throw new DataFileError({ file: path, line: null, field: null, problem: "holds no entries" });
  return entries;
}

/** Seeded and stratified by (right or wrong, gold label): the production dev set takes `devShare` of
 * every group, so it has the log's mix of failures, successes and labels (out of scope included);
 * the rest splits into failures (wrong) and regression examples (right). */
export function splitProductionLog(entries: readonly ClassificationExample[], options: { seed: number; devShare?: number }): LogSplit {
  const share = options.devShare ?? PRODUCTION_DEV_SHARE;
  const split: LogSplit = { failures: [], regression: [], dev: [] };
  const groups = groupBy(entries, (e) => `${e.pred === e.label ? "right" : "wrong"}\u0000${e.label}`);
  for (const key of [...groups.keys()].sort()) {
    const group = seededShuffle(groups.get(key)!, options.seed);
    const held = Math.round(group.length * share);
    split.dev.push(...group.slice(0, held));
    for (const e of group.slice(held)) (e.pred === e.label ? split.regression : split.failures).push(e);
  }
  // Back in log order, so the files read like the log.
  const order = new Map(entries.map((e, i) => [e.id, i]));
  for (const part of Object.values(split)) part.sort((a: ClassificationExample, b: ClassificationExample) => order.get(a.id)! - order.get(b.id)!);
  return split;
}

/** Splits the log into `<runDir>/log/{failures,regression,production-dev}.jsonl` and records the
 * split (seed, share, counts) in `log/split.json`. */
export async function writeLogSplit(logPath: string, runDir: string, seed: number): Promise<LogSplitRecord> {
  const entries = await readProductionLog(logPath);
  const split = splitProductionLog(entries, { seed });
  const dir = join(runDir, "log");
  await mkdir(dir, { recursive: true });
  const files = { failures: join(dir, "failures.jsonl"), regression: join(dir, "regression.jsonl"), dev: join(dir, "production-dev.jsonl") };
  await Promise.all([writeExamplesJsonl(files.failures, split.failures), writeExamplesJsonl(files.regression, split.regression), writeExamplesJsonl(files.dev, split.dev)]);
  const record: LogSplitRecord = {
    log: logPath,
    seed,
    dev_share: PRODUCTION_DEV_SHARE,
    entries: entries.length,
    right: entries.filter((e) => e.pred === e.label).length,
    failures: split.failures.length,
    regression: split.regression.length,
    dev: { n: split.dev.length, right: split.dev.filter((e) => e.pred === e.label).length },
    files,
  };
  await writeJsonAtomic(join(dir, "split.json"), record);
  return record;
}
