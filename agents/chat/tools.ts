import { type StructuredToolInterface, tool } from "@langchain/core/tools";
import { z } from "zod";
import { dataBlock } from "../../llm/data-block.ts";
import type { ChatContext } from "./context.ts";
import { answerText, modelsText, runsText, statusText, whyText } from "./actions.ts";
import { evaluateText, followText, similarFailuresText, startRunText } from "./run-actions.ts";

/** CLI options as the model gives them: flag names without "--", and their values. */
const CliOptions = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));

/** Runs and reports hold production text: a tool's answer reaches the model as a data block. */
const asData = (f: () => Promise<string>) => async () => {
  try {
    return dataBlock(await f());
  } catch (err) {
    return `error: ${(err as Error).message}`;
  }
};

/** The chat agent's tools over the runs folder and the registry. */
export function chatTools(ctx: ChatContext): StructuredToolInterface[] {
  return [
    tool(asData(() => statusText(ctx)), { name: "status", description: "The promoted model, the runs by status, and which runs wait for approval.", schema: z.object({}) }),
    tool(asData(() => runsText(ctx)), { name: "list_runs", description: "Every run: id, kind, status, outcome, stop reason.", schema: z.object({}) }),
    tool(asData(() => modelsText(ctx)), { name: "list_models", description: "The model registry's versions with parents and data versions; * marks the promoted one.", schema: z.object({}) }),
    tool(async ({ run }: { run: string }) => asData(() => whyText(ctx, run))(), {
      name: "explain_run",
      description: "A run's decision log in words: diagnosis, each round's plan, data changes, training, the gate's verdict with its reasons and flips, who approved or rejected, the stop reason, the failures still open (ids).",
      schema: z.object({ run: z.string().describe("the run id, as list_runs gives it") }),
    }),
    tool(async ({ run, approved, reason }: { run: string; approved: boolean; reason?: string | undefined }) => asData(() => answerText(ctx, run, approved, reason))(), {
      name: "answer_approval",
      description: "Approve or reject what a run waits for (a promotion or a costly fine-tune), only when the user asked for exactly that; the run then goes on.",
      schema: z.object({ run: z.string(), approved: z.boolean(), reason: z.string().optional() }),
    }),
    tool(async ({ options }: { options: Record<string, string | number | boolean> }) => asData(() => startRunText(ctx, "maintain", options))(), {
      name: "start_maintenance",
      description:
        "Starts a maintenance run in the background (pioneer maintain) and returns its run id at once. Options as pioneer maintain takes them, without '--': model (registry id or folder), train, and either log (a production log: text, label, pred) or regression and failures (JSONL paths), and optionally dev, oos-label, allow-new-labels (true), rounds, minutes, epsilon, delta, target, approve-promotion (true), approve-training-over. Only when the user asked for a run.",
      schema: z.object({ options: CliOptions }),
    }),
    tool(async ({ options }: { options: Record<string, string | number | boolean> }) => asData(() => startRunText(ctx, "cold-start", options))(), {
      name: "start_cold_start",
      description:
        "Starts a cold start in the background (pioneer cold-start): from a task description to a trained, promoted model; returns its run id at once. Options without '--': task (the description), labels (a,b,c) or labels-file, and optionally kind, examples, unlabeled, eval, oos-label, rounds, minutes. Only when the user asked for it.",
      schema: z.object({ options: CliOptions }),
    }),
    tool(async ({ run }: { run: string }) => asData(() => followText(ctx, run))(), {
      name: "follow_run",
      description: "Where a run got to: running, waiting for approval, done (with its report) or failed (with the end of its log).",
      schema: z.object({ run: z.string() }),
    }),
    tool(async ({ model, data }: { model: string; data: string }) => asData(() => evaluateText(ctx, model, data))(), {
      name: "evaluate_model",
      description: "Scores a model (registry version id or model folder) on a labeled JSONL/CSV file now: accuracy and macro-F1 with per-class scores, entity F1, or exact match.",
      schema: z.object({ model: z.string(), data: z.string().describe("path of the labeled file") }),
    }),
    tool(async (query: { texts?: string[] | undefined; run?: string | undefined }) => asData(() => similarFailuresText(ctx, query))(), {
      name: "similar_failures",
      description: "Searches the memory for past failures like these texts (or like a run's open failures), with the runs and model versions they came from, and the strategies tried on similar failures with their verdicts. With a run, that run's own failures are left out.",
      schema: z.object({ texts: z.array(z.string()).optional(), run: z.string().optional().describe("a run whose open failures to look up (and whose own failures to leave out)") }),
    }),
  ];
}
