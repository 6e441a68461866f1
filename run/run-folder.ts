import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { type Example, readExamples, writeExamplesJsonl } from "../data/index.ts";
import { type Prediction, PredictionSchema } from "../evals/types.ts";
import { writeFileAtomic, writeJsonAtomic } from "../lib/atomic-write.ts";
import { LabelIssue } from "../tools/find-label-issues.ts";
import type { Decision, RunFiles, TaskKind } from "./types.ts";

/** The evaluation sets a model is scored on; a predictions folder holds one file per set. */
export const SCORED_SETS = ["dev", "failures", "regression", "earlier-runs", "guard"] as const;
export type ScoredSet = (typeof SCORED_SETS)[number];

export const DECISION_LOG_FILE = "decisions.json";

/** What a finished run leaves to explain itself: every agent decision, the model it ends on (with
 * its predictions), its input files and task kind. */
export interface DecisionLog {
  decisions: Decision[];
  current: { id: string | null; predictions_dir: string } | null;
  files: RunFiles | null;
  task_kind: TaskKind | null;
  stop_reason: string | null;
}

/** The inputs intake writes, normalized and validated. */
export interface RunInputs {
  pool: readonly Example[];
  dev: readonly Example[];
  regression: readonly Example[];
  failures: readonly Example[];
  /** The gold of earlier runs on the deployed model's lineage; written only when there is some. */
  earlierRuns: readonly Example[];
  /** A held-out share of the training data, when the dev set is a production log's: scored beside
   * it as a guard against forgetting the training distribution. */
  guard?: readonly Example[] | undefined;
}

/**
 * The owner of one maintenance run's folder, as `trainer/registry.ts` owns the registry:
 *
 *   <run_dir>/
 *     checkpoints.sqlite                 LangGraph checkpoints of CLI runs (opened by the CLI)
 *     inputs/                            written once, at intake; never changed after
 *       train.jsonl                      the pool: the deployed model's training data (less a dev holdout)
 *       dev.jsonl                        held-out data for the task metric
 *       regression.jsonl                 golden examples that must stay right
 *       failures.jsonl                   labeled production failures
 *       earlier-runs.jsonl               gold that earlier runs on the lineage accepted (when memory has some)
 *       guard.jsonl                      a held-out tenth of train, when dev comes from a production log
 *     log/                               a production log's split (maintain --log): failures.jsonl,
 *                                        regression.jsonl, production-dev.jsonl, split.json
 *     diagnosis/
 *       pool-and-failures.jsonl          confident learning's input (ids prefixed `pool/` and `failure/`)
 *       label-issues.jsonl               its findings, one LabelIssue a line, same ids
 *     predictions/<model>/<set>.jsonl    one Prediction a line; <model> is `parent-0` (the deployed
 *                                        model) or a candidate id; <set> one of SCORED_SETS
 *     data/<hash16>.jsonl                a data version, named by its content hash
 *     data/<hash16>.lineage.json         what that version changed and why
 *     models/<run id>/round-<n>/         the candidate of round n (a registered one is never rewritten)
 *     memory/                            the LanceDB memory, unless the run names a shared one
 *     report.md, report.json             the outcome
 *     report.html                        the same with plots, self-contained (inline SVG)
 *     decisions.json                     the decision log, the final model, the inputs (DecisionLog)
 *
 * Every file is validated when first read and then cached (a write through this class drops the
 * cached copy): inputs, findings and predictions are written once in a run. Writes are atomic
 * (temp file + rename).
 */
export class RunFolder {
  private readonly cache = new Map<string, Promise<unknown>>();

  constructor(
    readonly dir: string,
    readonly kind: TaskKind,
  ) {}

  /** Where intake writes the inputs (`earlier_runs` and `guard` only when given). */
  inputFiles(withEarlierRuns: boolean, withGuard = false): RunFiles {
    const inputs = join(this.dir, "inputs");
    return {
      train: join(inputs, "train.jsonl"),
      regression: join(inputs, "regression.jsonl"),
      failures: join(inputs, "failures.jsonl"),
      dev: join(inputs, "dev.jsonl"),
      ...(withEarlierRuns ? { earlier_runs: join(inputs, "earlier-runs.jsonl") } : {}),
      ...(withGuard ? { guard: join(inputs, "guard.jsonl") } : {}),
    };
  }

  async writeInputs(inputs: RunInputs): Promise<RunFiles> {
    const files = this.inputFiles(inputs.earlierRuns.length > 0, Boolean(inputs.guard?.length));
    await mkdir(join(this.dir, "inputs"), { recursive: true });
    const write = async (path: string | undefined, examples: readonly Example[]) => {
      if (!path) return;
      await writeExamplesJsonl(path, examples);
      this.cache.delete(path);
    };
    await write(files.train, inputs.pool);
    await write(files.regression, inputs.regression);
    await write(files.failures, inputs.failures);
    await write(files.dev, inputs.dev);
    await write(files.earlier_runs, inputs.earlierRuns);
    await write(files.guard, inputs.guard ?? []);
    return files;
  }

  /** Examples of a JSONL file of this run (an input or a data version), validated once. */
  examples(path: string): Promise<Example[]> {
    return this.cached(path, async () => (await readExamples(path, { kind: this.kind })).examples);
  }

  /** The inputs intake wrote, by name. */
  async inputs(files: RunFiles): Promise<RunInputs> {
    return {
      pool: await this.examples(files.train),
      dev: await this.examples(files.dev),
      regression: await this.examples(files.regression),
      failures: await this.examples(files.failures),
      earlierRuns: files.earlier_runs ? await this.examples(files.earlier_runs) : [],
      ...(files.guard ? { guard: await this.examples(files.guard) } : {}),
    };
  }

  /** Writes confident learning's input (pool and failures, ids prefixed) and returns its path. */
  async writeDiagnosisInput(examples: readonly Example[]): Promise<string> {
    const path = join(this.dir, "diagnosis", "pool-and-failures.jsonl");
    await writeExamplesJsonl(path, examples);
    return path;
  }

  /** Where confident learning writes its findings. */
  get labelIssuesPath(): string {
    return join(this.dir, "diagnosis", "label-issues.jsonl");
  }

  /** Confident learning's findings, keyed by their prefixed id (`pool/...`, `failure/...`). */
  labelIssues(path: string): Promise<Map<string, LabelIssue>> {
    return this.cached(path, async () => {
      const issues = (await readJsonLines(path)).map((row) => LabelIssue.parse(row));
      return new Map(issues.map((i) => [i.id, i]));
    });
  }

  predictionsDir(model: string): string {
    return join(this.dir, "predictions", model);
  }

  async writePredictions(dir: string, set: ScoredSet, predictions: readonly Prediction[]): Promise<void> {
    const path = join(dir, `${set}.jsonl`);
    await mkdir(dir, { recursive: true });
    await writeFileAtomic(path, predictions.map((p) => JSON.stringify(p)).join("\n") + "\n");
    this.cache.delete(path);
  }

  /** A model's predictions on one set, keyed by example id. */
  predictions(dir: string, set: ScoredSet): Promise<Map<string, Prediction>> {
    const path = join(dir, `${set}.jsonl`);
    return this.cached(path, async () => new Map((await readJsonLines(path)).map((row) => {
      const p = PredictionSchema.parse(row);
      return [p.id, p];
    })));
  }

  /** Writes a data version and its lineage record; returns the data file's path. */
  async writeDataVersion(hash: string, examples: readonly Example[], lineage: Record<string, unknown>): Promise<string> {
    const dir = join(this.dir, "data");
    const path = join(dir, `${hash.slice(0, 16)}.jsonl`);
    await writeExamplesJsonl(path, examples);
    await writeJsonAtomic(join(dir, `${hash.slice(0, 16)}.lineage.json`), lineage);
    this.cache.delete(path);
    return path;
  }

  /** Where round `round` of run `runId` writes its candidate: each run its own folder, so a second
   * run in this folder never rewrites a model an earlier one registered. */
  modelDir(runId: string, round: number): string {
    return join(this.dir, "models", runId, `round-${round}`);
  }

  async writeReport(markdown: string, summary: unknown): Promise<{ markdown_path: string; json_path: string }> {
    const paths = { markdown_path: join(this.dir, "report.md"), json_path: join(this.dir, "report.json") };
    await writeFileAtomic(paths.markdown_path, `${markdown}\n`);
    await writeJsonAtomic(paths.json_path, summary);
    return paths;
  }

  /** The decision log and where the final model's predictions are, so the folder explains itself
   * without the checkpoints (a server run keeps those in the server). */
  async writeDecisionLog(log: DecisionLog): Promise<string> {
    const path = join(this.dir, DECISION_LOG_FILE);
    await writeJsonAtomic(path, log);
    return path;
  }

  async writeHtmlReport(html: string): Promise<string> {
    const path = join(this.dir, "report.html");
    await writeFileAtomic(path, html);
    return path;
  }

  private cached<T>(key: string, read: () => Promise<T>): Promise<T> {
    let value = this.cache.get(key) as Promise<T> | undefined;
    if (!value) {
      value = read();
      this.cache.set(key, value);
      value.catch(() => this.cache.delete(key));
    }
    return value;
  }
}

async function readJsonLines(path: string): Promise<unknown[]> {
  return (await readFile(path, "utf8"))
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as unknown);
}
