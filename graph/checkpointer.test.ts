import { mkdtemp, rm } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Annotation, END, START, StateGraph } from "@langchain/langgraph";
import type { BaseCheckpointSaver } from "@langchain/langgraph";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openCheckpointer } from "./checkpointer.ts";

const State = Annotation.Root({
  count: Annotation<number>({ reducer: (a, b) => a + b, default: () => 0 }),
});

let aRuns = 0;
let bRuns = 0;
/** Node b fails the first time it runs in this process, like a worker killed mid-run. */
let bFailedOnce = false;

function build(checkpointer: BaseCheckpointSaver) {
  return new StateGraph(State)
    .addNode("a", () => {
      aRuns += 1;
      return { count: 1 };
    })
    .addNode("b", () => {
      bRuns += 1;
      if (!bFailedOnce) {
        bFailedOnce = true;
        throw new Error("b crashed");
      }
      return { count: 10 };
    })
    .addEdge(START, "a")
    .addEdge("a", "b")
    .addEdge("b", END)
    .compile({ checkpointer });
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pioneer-ckpt-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("openCheckpointer", () => {
  it("creates the parent folder of the database file", async () => {
    const path = join(dir, "nested", "deeper", "ckpt.sqlite");
    const saver = openCheckpointer(path);
    await saver.getTuple({ configurable: { thread_id: "nothing-yet" } });
    expect(existsSync(path)).toBe(true);
  });

  it("resumes a failed run from its thread id in a new saver without re-running finished nodes", async () => {
    const path = join(dir, "runs", "ckpt.sqlite");
    const config = { configurable: { thread_id: "run-1" } };

    await expect(build(openCheckpointer(path)).invoke({ count: 0 }, config)).rejects.toThrow(/b crashed/);
    expect({ aRuns, bRuns }).toEqual({ aRuns: 1, bRuns: 1 });

    // A fresh saver on the same file stands in for a new process after a kill.
    const resumed = build(openCheckpointer(path));
    expect((await resumed.getState(config)).next).toEqual(["b"]);
    const out = await resumed.invoke(null, config);

    expect(out.count).toBe(11);
    expect({ aRuns, bRuns }).toEqual({ aRuns: 1, bRuns: 2 });
    expect((await resumed.getState(config)).next).toEqual([]);
  });
});
