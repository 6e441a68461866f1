import { tool } from "@langchain/core/tools";
import { z } from "zod";
import type { MemoryStore } from "../memory/index.ts";

export const PastExperimentsInput = z.object({
  failure_summary: z.string().min(1).describe("a description of the failures to fix (the diagnosis summary, or your own words)"),
  k: z.number().int().min(1).max(20).default(5).describe("how many experiments to return at most"),
});

export const PastExperiment = z.object({
  id: z.string().describe("the experiment's id: name it as from_memory to reuse its strategy"),
  run_id: z.string().describe("the run that tried it"),
  similarity: z.number().describe("how much its failures resemble these (cosine, -1..1)"),
  verdict: z.string().describe("promoted or rejected"),
  gain: z.number().describe("change of the task metric on held-out data"),
  strategy: z.string().describe("head, lora or full"),
  hyperparameters: z.record(z.string(), z.unknown()).describe("init_from, epochs, learning_rate, ..."),
  reasons: z.array(z.string()).describe("the gate's reasons"),
});
export const PastExperimentsOutput = z.object({ experiments: z.array(PastExperiment) });

/** Past experiments on similar failures from the LanceDB memory, promoted ones first. `seen`
 * collects the ids it returned, so a decision may only name those. */
export function pastExperimentsTool(memory: MemoryStore, options: { excludeRunId: string; seen: Set<string> }) {
  return tool(
    async ({ failure_summary, k }) => {
      const found = await memory.strategiesForSimilarFailures(failure_summary, { k, minSimilarity: 0.3 });
      const experiments = found
        .filter((e) => e.run_id !== options.excludeRunId)
        .map((e) => PastExperiment.parse({ id: e.id, run_id: e.run_id, similarity: Number(e.similarity.toFixed(3)), verdict: e.verdict, gain: Number(e.gain.toFixed(4)), strategy: e.strategy, hyperparameters: e.hyperparameters, reasons: e.reasons }));
      for (const e of experiments) options.seen.add(e.id);
      return JSON.stringify(PastExperimentsOutput.parse({ experiments }));
    },
    {
      name: "past_experiments",
      description: "Past fine-tuning experiments (other runs) whose failures resembled a description, with their strategy, gain and gate verdict, from memory.",
      schema: PastExperimentsInput,
    },
  );
}
