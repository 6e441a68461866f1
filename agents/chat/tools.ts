import { type StructuredToolInterface, tool } from "@langchain/core/tools";
import { z } from "zod";
import { dataBlock } from "../../llm/data-block.ts";
import type { ChatContext } from "./context.ts";
import { answerText, modelsText, runsText, statusText, whyText } from "./actions.ts";

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
  ];
}
