import { chmod, mkdtemp, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { bankingSlice } from "../test-support/slices.ts";
import { runWorker, streamWorker, trainModel } from "./launcher.ts";
import { WorkerCancelledError, WorkerCrashedError, WorkerReportedError, WorkerTimeoutError } from "./worker-errors.ts";
import type { ProgressEvent, WorkerEvent } from "./worker-events.ts";

let slice: Awaited<ReturnType<typeof bankingSlice>>;
beforeAll(async () => {
  slice = await bankingSlice();
});

const savedPython = process.env.PIONEER_PYTHON;
afterEach(() => {
  if (savedPython === undefined) delete process.env.PIONEER_PYTHON;
  else process.env.PIONEER_PYTHON = savedPython;
});

describe("trainModel", () => {
  it("fine-tunes the real model and reports typed progress", async () => {
    const progress: ProgressEvent[] = [];
    const out = join(slice.dir, "head-model");
    const result = await trainModel(
      { kind: "classification", train_path: slice.train, out_dir: out, strategy: "head", max_steps: 5, batch_size: 8, threads: 1 },
      { onProgress: (e) => progress.push(e) },
    );
    expect(result.modelDir).toBe(out);
    expect(existsSync(join(out, "pioneer.json"))).toBe(true);
    expect(result.metrics.steps).toBe(5);
    const train = progress.filter((p) => p.stage === "train");
    expect(train.at(-1)).toMatchObject({ step: 5, total: 5 });
    expect(train.map((p) => p.step)).toEqual([...train.map((p) => p.step)].sort((a, b) => a - b));
  });

  it("rejects an invalid spec before starting a process", async () => {
    await expect(trainModel({ kind: "classification", train_path: slice.train, out_dir: "x", batch_size: 0 })).rejects.toThrow(
      /batch_size/,
    );
  });

  it("turns a worker-side validation failure into WorkerReportedError naming the field", async () => {
    const err = await trainModel({ kind: "classification", train_path: "/does/not/exist.jsonl", out_dir: join(slice.dir, "x") }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WorkerReportedError);
    expect((err as WorkerReportedError).field).toBe("train_path");
    expect((err as WorkerReportedError).stderrTail).toContain("SpecError");
  });
});

describe("streamWorker", () => {
  it("yields events as an async iterator and returns the done event", async () => {
    const spec = { kind: "classification", train_path: slice.train, out_dir: join(slice.dir, "stream"), strategy: "head", max_steps: 3, threads: 1 };
    const seen: WorkerEvent["event"][] = [];
    const stream = streamWorker(["train", "--spec", "-"], { input: JSON.stringify(spec) });
    let next = await stream.next();
    while (!next.done) {
      seen.push(next.value.event);
      next = await stream.next();
    }
    expect(seen[0]).toBe("progress");
    expect(seen.at(-1)).toBe("done");
    expect(next.value.artifacts.model_dir).toBe(spec.out_dir);
  });

  it("cancels a running job through an AbortSignal", async () => {
    const controller = new AbortController();
    const spec = { kind: "classification", train_path: slice.train, out_dir: join(slice.dir, "cancelled"), strategy: "full", epochs: 50, threads: 1 };
    const run = runWorker(["train", "--spec", "-"], {
      input: JSON.stringify(spec),
      signal: controller.signal,
      onProgress: (e) => {
        if (e.stage === "train") controller.abort();
      },
    });
    await expect(run).rejects.toBeInstanceOf(WorkerCancelledError);
    expect(existsSync(join(spec.out_dir, "pioneer.json"))).toBe(false);
  });

  it("stops a job that runs past its timeout", async () => {
    const spec = { kind: "classification", train_path: slice.train, out_dir: join(slice.dir, "slow"), strategy: "full", epochs: 50, threads: 1 };
    await expect(runWorker(["train", "--spec", "-"], { input: JSON.stringify(spec), timeoutMs: 1500 })).rejects.toBeInstanceOf(
      WorkerTimeoutError,
    );
  });

  it("reports a crash with the tail of stderr", async () => {
    const dir = await mkdtemp(join(tmpdir(), "pioneer-crash-"));
    const fake = join(dir, "python");
    await writeFile(fake, "#!/bin/sh\necho 'Segmentation fault in libtorch' >&2\nexit 139\n");
    await chmod(fake, 0o755);
    process.env.PIONEER_PYTHON = fake;
    const err = await runWorker(["serve"]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkerCrashedError);
    expect((err as WorkerCrashedError).exitCode).toBe(139);
    expect((err as WorkerCrashedError).stderrTail).toContain("Segmentation fault in libtorch");
  });
});
