/** Typed failures of a worker process. Each carries what a caller needs to act on it. */

/** The worker ran and reported a failure of its own (bad spec, bad data, out of memory...). */
export class WorkerReportedError extends Error {
  override name = "WorkerReportedError";
  constructor(
    readonly type: string,
    readonly detail: string,
    readonly field: string | null,
    readonly stderrTail: string,
  ) {
    super(`worker ${type}: ${detail}${field ? ` (field "${field}")` : ""}`);
  }
}

/** The process died without reporting (crash, kill, broken install). `stderrTail` says why. */
export class WorkerCrashedError extends Error {
  override name = "WorkerCrashedError";
  constructor(
    readonly exitCode: number | null,
    readonly signal: string | null,
    readonly stderrTail: string,
  ) {
    super(
      `worker exited ${signal ? `on signal ${signal}` : `with code ${exitCode}`} without reporting a result; ` +
        `last stderr lines:\n${stderrTail || "(empty)"}\nIf the Python env is broken, re-run \`npm run setup\`.`,
    );
  }
}

export class WorkerTimeoutError extends Error {
  override name = "WorkerTimeoutError";
  constructor(
    readonly timeoutMs: number,
    readonly stderrTail: string,
  ) {
    super(`worker did not finish within ${Math.round(timeoutMs / 1000)} s and was stopped; raise the timeout or shrink the job`);
  }
}

export class WorkerCancelledError extends Error {
  override name = "WorkerCancelledError";
  constructor() {
    super("worker job was cancelled");
  }
}

/** A line on the worker's stdout that is not a valid event: a protocol bug, never user error. */
export class WorkerProtocolError extends Error {
  override name = "WorkerProtocolError";
  constructor(readonly line: string, reason: string) {
    super(`worker wrote an invalid event line (${reason}): ${line.slice(0, 200)}`);
  }
}
