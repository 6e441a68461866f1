import { END, START, StateGraph } from "@langchain/langgraph";
import type { BaseCheckpointSaver } from "@langchain/langgraph";
import { dataCuratorNode } from "../agents/data-curator/index.ts";
import { diagnosticianNode } from "../agents/diagnostician/index.ts";
import { evaluatorNode } from "../agents/evaluator/index.ts";
import { plannerNode } from "../agents/planner/index.ts";
import { trainerNode } from "../agents/trainer/index.ts";
import { intakeNode } from "./nodes/intake.ts";
import { reportNode } from "./nodes/report.ts";
import { MaintainState } from "./state.ts";

/** intake -> planner, which routes (Command goto) among diagnostician, data curator, trainer and
 * evaluator, each of which hands back to the planner, until it routes to report. */
export function buildMaintainGraph() {
  return new StateGraph(MaintainState)
    .addNode("intake", intakeNode)
    .addNode("planner", plannerNode, { ends: ["diagnostician", "data_curator", "trainer", "evaluator", "report"] })
    .addNode("diagnostician", diagnosticianNode)
    .addNode("data_curator", dataCuratorNode)
    .addNode("trainer", trainerNode)
    .addNode("evaluator", evaluatorNode)
    .addNode("report", reportNode)
    .addEdge(START, "intake")
    .addEdge("intake", "planner")
    .addEdge("diagnostician", "planner")
    .addEdge("data_curator", "planner")
    .addEdge("trainer", "planner")
    .addEdge("evaluator", "planner")
    .addEdge("report", END);
}

export type MaintainNode = "intake" | "planner" | "diagnostician" | "data_curator" | "trainer" | "evaluator" | "report";

/** `interruptAfter` pauses the run after those nodes (checkpointed; `invoke(null, config)` goes on),
 * e.g. to inspect a diagnosis before training, or in tests of resuming. */
export function compileMaintainGraph(checkpointer?: BaseCheckpointSaver, options: { interruptAfter?: MaintainNode[] } = {}) {
  const graph = buildMaintainGraph().compile({
    ...(checkpointer ? { checkpointer } : {}),
    ...(options.interruptAfter ? { interruptAfter: options.interruptAfter } : {}),
  });
  graph.name = "maintain";
  return graph;
}

/** The graph `langgraph.json` serves (the server brings its own checkpointer). */
export const graph = compileMaintainGraph();
