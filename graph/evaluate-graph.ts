import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Annotation, END, START, StateGraph } from "@langchain/langgraph";
import { z } from "zod";
import { readExamples } from "../data/index.ts";
import { evaluateModel } from "../trainer/evaluate-model.ts";
import { exampleKindOf, readModelDir } from "../trainer/model-dir.ts";

/** What a caller passes: a trained model directory and a labeled file to score it on. */
export const EvaluateInput = z.object({
  model_dir: z.string().min(1).describe("a trained Pioneer model directory"),
  data_path: z.string().min(1).describe("JSONL or CSV with gold labels or tags"),
});

export const EvaluateState = Annotation.Root({
  model_dir: Annotation<string>,
  data_path: Annotation<string>,
  metrics: Annotation<Record<string, unknown> | null>({ reducer: (_, v) => v, default: () => null }),
  report: Annotation<string | null>({ reducer: (_, v) => v, default: () => null }),
});

async function evaluate(state: typeof EvaluateState.State): Promise<typeof EvaluateState.Update> {
  const input = EvaluateInput.parse(state);
  const model = await readModelDir(input.model_dir);
  const dataset = await readExamples(input.data_path, { kind: exampleKindOf(model, "the evaluate graph") });
  const work = await mkdtemp(join(tmpdir(), "pioneer-graph-eval-"));
  try {
    const evaluation = await evaluateModel(input.model_dir, dataset, work);
    return { metrics: evaluation.metrics as Record<string, unknown>, report: evaluation.report };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** The data plane's one-step graph (score a model on a data set), served by `langgraph.json` until
 * the maintenance loop arrives. */
export const graph = new StateGraph(EvaluateState)
  .addNode("evaluate", evaluate)
  .addEdge(START, "evaluate")
  .addEdge("evaluate", END)
  .compile();
graph.name = "evaluate";
