import { readFile } from "node:fs/promises";
import { tool } from "@langchain/core/tools";
import { z } from "zod";
import { runWorker } from "../trainer/launcher.ts";

export const FindLabelIssuesInput = z.object({
  data_path: z.string().describe("normalized JSONL whose labels are checked (training pool, plus failures if wanted)"),
  kind: z.enum(["classification", "token"]).describe("task kind of the data"),
  model: z.string().min(1).default("minilm").describe("base encoder whose frozen features the folds are trained on: the deployed model's base model (minilm, a HF id or a local dir)"),
  out_path: z.string().describe("where the per-example findings are written (JSONL)"),
  folds: z.number().int().min(2).max(10).default(5).describe("k of the k-fold cross-training"),
  seed: z.number().int().default(0),
});

export const LabelIssue = z.object({
  id: z.string(),
  is_issue: z.boolean().describe("confident learning flags the given label"),
  label_quality: z.number().describe("out-of-fold probability of the given label (lowest word for token tasks)"),
  label: z.string().optional(),
  suggested: z.string().optional(),
  suggested_prob: z.number().optional(),
  token_issues: z
    .array(z.object({ index: z.number(), tag: z.string(), suggested: z.string(), suggested_prob: z.number(), label_quality: z.number() }))
    .optional(),
});
export type LabelIssue = z.infer<typeof LabelIssue>;

export const FindLabelIssuesOutput = z.object({
  path: z.string(),
  n: z.number(),
  issues: z.number(),
});

/** Confident learning over out-of-fold predictions of k head-only models on frozen base-encoder
 * features (worker `label-issues`, cleanlab inside). */
export async function findLabelIssues(args: z.input<typeof FindLabelIssuesInput>, options: { threads?: number } = {}): Promise<LabelIssue[]> {
  const input = FindLabelIssuesInput.parse(args);
  const globalArgs = options.threads ? ["--threads", String(options.threads)] : [];
  await runWorker(
    ["label-issues", "--input", input.data_path, "--kind", input.kind, "--model", input.model, "--out", input.out_path, "--folds", String(input.folds), "--seed", String(input.seed)],
    { globalArgs },
  );
  return (await readFile(input.out_path, "utf8"))
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => LabelIssue.parse(JSON.parse(l)));
}

export const findLabelIssuesTool = tool(
  async (args) => {
    const issues = await findLabelIssues(args);
    return JSON.stringify(FindLabelIssuesOutput.parse({ path: args.out_path, n: issues.length, issues: issues.filter((i) => i.is_issue).length }));
  },
  {
    name: "find_label_issues",
    description: "Finds suspected label errors in a JSONL data set by confident learning (k-fold out-of-fold predictions + cleanlab).",
    schema: FindLabelIssuesInput,
  },
);
