import { execa } from "execa";
import type { z } from "zod";
import { GenerationJobSpec, JobSpec, type JobSpecInput } from "./job-spec.ts";
import { workerEnv, workerPython } from "./python-env.ts";
import {
  WorkerCancelledError,
  WorkerCrashedError,
  WorkerProtocolError,
  WorkerReportedError,
  WorkerTimeoutError,
} from "./worker-errors.ts";
import { type DoneEvent, type MetricEvent, type ProgressEvent, WorkerEvent } from "./worker-events.ts";

export interface WorkerRunOptions {
  /** Written to the worker's stdin (e.g. a job spec for `train --spec -`). */
  input?: string;
  /** Aborting kills the worker (SIGTERM, then SIGKILL after 2 s) and rejects with WorkerCancelledError. */
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Extra arguments before the command, e.g. ["--device", "cpu", "--threads", "1"]. */
  globalArgs?: string[];
  onEvent?: (event: WorkerEvent) => void;
  onProgress?: (event: ProgressEvent) => void;
  onMetric?: (event: MetricEvent) => void;
  /** Every stderr line (worker logs). By default they are kept only for error reports. */
  onLog?: (line: string) => void;
}

const STDERR_TAIL_LINES = 40;

/** Runs one worker command and yields its events as they arrive; returns the done event.
 * Throws a typed error (reported, crashed, timed out, cancelled) instead of returning. */
export async function* streamWorker(args: string[], options: WorkerRunOptions = {}): AsyncGenerator<WorkerEvent, DoneEvent> {
  const stderrTail: string[] = [];
  const child = execa(workerPython(), ["-m", "pioneer_worker", ...(options.globalArgs ?? []), ...args], {
    env: workerEnv(),
    input: options.input,
    stdin: options.input === undefined ? "ignore" : "pipe",
    cancelSignal: options.signal,
    timeout: options.timeoutMs,
    forceKillAfterDelay: 2000,
    reject: false,
    buffer: false,
  });
  child.stderr?.setEncoding("utf8");
  let pending = "";
  child.stderr?.on("data", (chunk: string) => {
    const lines = (pending + chunk).split(/\r?\n|\r/);
    pending = lines.pop() ?? "";
    for (const line of lines) {
      if (!line.trim()) continue;
      stderrTail.push(line);
      if (stderrTail.length > STDERR_TAIL_LINES) stderrTail.shift();
      options.onLog?.(line);
    }
  });

  let done: DoneEvent | undefined;
  let reported: WorkerReportedError | undefined;
  let protocolError: WorkerProtocolError | undefined;
  let exited = false;
  try {
    for await (const line of eventLines(child.iterable({ from: "stdout" }))) {
      const event = parseEvent(line);
      if (event instanceof WorkerProtocolError) {
        protocolError = event;
        continue;
      }
      options.onEvent?.(event);
      if (event.event === "progress") options.onProgress?.(event);
      if (event.event === "metric") options.onMetric?.(event);
      if (event.event === "done") done = event;
      if (event.event === "error") reported = new WorkerReportedError(event.type, event.message, event.field ?? null, "");
      yield event;
    }
    const result = await child;
    exited = true;
    if (pending.trim()) stderrTail.push(pending);
    const tail = stderrTail.join("\n");
    if (result.isCanceled || options.signal?.aborted) throw new WorkerCancelledError();
    if (result.timedOut) throw new WorkerTimeoutError(options.timeoutMs ?? 0, tail);
    if (reported) throw new WorkerReportedError(reported.type, reported.detail, reported.field, tail);
    if (result.exitCode !== 0 || !done) {
      if (protocolError && result.exitCode === 0) throw protocolError;
      throw new WorkerCrashedError(result.exitCode ?? null, result.signal ?? null, tail);
    }
    return done;
  } finally {
    // A consumer that stops iterating early (break, return, throw) must not leave the worker running.
    if (!exited) child.kill();
  }
}

/** Non-empty stdout lines; a stream cut short by a kill just ends (the exit status says why). */
async function* eventLines(lines: AsyncIterable<string>): AsyncGenerator<string> {
  try {
    for await (const line of lines) if (line.trim()) yield line;
  } catch {
    return;
  }
}

function parseEvent(line: string): WorkerEvent | WorkerProtocolError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return new WorkerProtocolError(line, "not JSON");
  }
  const checked = WorkerEvent.safeParse(parsed);
  return checked.success ? checked.data : new WorkerProtocolError(line, checked.error.issues[0]?.message ?? "invalid event");
}

/** Runs a worker command to completion, delivering events to the callbacks. */
export async function runWorker(args: string[], options: WorkerRunOptions = {}): Promise<DoneEvent> {
  const stream = streamWorker(args, options);
  for (;;) {
    const next = await stream.next();
    if (next.done) return next.value;
  }
}

export interface TrainResult {
  modelDir: string;
  metrics: Record<string, unknown>;
}

/** Validates the spec, fine-tunes through the worker and returns the model directory. */
export async function trainModel(spec: JobSpecInput | z.input<typeof GenerationJobSpec>, options: Omit<WorkerRunOptions, "input"> = {}): Promise<TrainResult> {
  const valid = spec.kind === "generation" ? GenerationJobSpec.parse(spec) : JobSpec.parse(spec);
  const done = await runWorker(["train", "--spec", "-"], { ...options, input: JSON.stringify(valid) });
  return { modelDir: String(done.artifacts.model_dir), metrics: done.metrics };
}

/** Predicts every example of a normalized JSONL file into an output JSONL file. */
/** Generation models: `samples` outputs an input, drawn at `temperature` (> 0) from `seed`. */
export interface Sampling {
  samples: number;
  temperature: number;
  seed?: number;
}

export async function predictFile(
  modelDir: string,
  inputPath: string,
  outPath: string,
  options: WorkerRunOptions & { batchSize?: number; sampling?: Sampling } = {},
): Promise<DoneEvent> {
  const args = ["predict", "--model", modelDir, "--input", inputPath, "--out", outPath];
  if (options.batchSize) args.push("--batch-size", String(options.batchSize));
  if (options.sampling) args.push("--samples", String(options.sampling.samples), "--temperature", String(options.sampling.temperature), "--seed", String(options.sampling.seed ?? 0));
  return runWorker(args, options);
}

export interface ZeroShotSpec {
  out_dir: string;
  labels: string[];
  /** Per label, the texts its prototype averages (definition, phrasings); its name when none. */
  phrases?: Record<string, string[]>;
  model?: string;
  /** Logit = scale x cosine similarity. */
  scale?: number;
  /** An out-of-scope label, predicted when no label's prototype is at least `oos_similarity` alike. */
  oos_label?: string;
  oos_similarity?: number;
  /** A token task's tagger: the labels are entity types, each prototype the mean state of the
   * `examples`' words of its type (its phrases' sentence embedding when none). */
  kind?: "classification" | "token";
  examples?: { tokens: string[]; tags: string[] }[];
  /** Token tasks: the least similarity that makes a word an entity. */
  entity_similarity?: number;
}

/** Packages the zero-shot classifier (label prototypes as the head, no training) as a model directory. */
export async function buildZeroShotModel(spec: ZeroShotSpec, options: Omit<WorkerRunOptions, "input"> = {}): Promise<TrainResult> {
  const done = await runWorker(["zero-shot", "--spec", "-"], { ...options, input: JSON.stringify(spec) });
  return { modelDir: String(done.artifacts.model_dir), metrics: done.metrics };
}
