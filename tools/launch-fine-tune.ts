import { tool } from "@langchain/core/tools";
import { z } from "zod";
import { JobSpec } from "../trainer/job-spec.ts";
import { type TrainResult, trainModel } from "../trainer/launcher.ts";
import type { ProgressEvent } from "../trainer/worker-events.ts";

export const LaunchFineTuneInput = JobSpec.describe("a fine-tune job: data, model, strategy and hyper-parameters");
export const LaunchFineTuneOutput = z.object({
  model_dir: z.string().describe("the trained model directory"),
  metrics: z.record(z.string(), z.unknown()).describe("training metrics: loss, steps, wall time, examples/s"),
});

/** Launches one fine-tune on the worker and waits for it (progress goes to `onProgress`). */
export async function launchFineTune(
  spec: z.input<typeof LaunchFineTuneInput>,
  options: { onProgress?: (e: ProgressEvent) => void; signal?: AbortSignal } = {},
): Promise<TrainResult> {
  return trainModel(spec, options);
}

export const launchFineTuneTool = tool(
  async (spec) => {
    const result = await launchFineTune(spec);
    return JSON.stringify(LaunchFineTuneOutput.parse({ model_dir: result.modelDir, metrics: result.metrics }));
  },
  {
    name: "launch_fine_tune",
    description: "Fine-tunes a small model (head-only, LoRA or full) on a JSONL data version and returns the model directory.",
    schema: LaunchFineTuneInput,
  },
);
