import { parseArgs } from "node:util";
import { type ModelEvaluation, evaluateModelOnFile } from "../../trainer/evaluate-model.ts";
import { resolveModelDir } from "../context.ts";
import { UsageError } from "../usage-error.ts";

export const EVAL_USAGE = `pioneer eval --model DIR|ID --data TEST.jsonl|csv [--json] [--registry DIR]
  prints accuracy, macro-F1, per-class P/R/F1 and confused pairs (classification),
  entity-level strict P/R/F1 per type (token), or exact match after answer extraction with a
  bootstrap interval and generation speed (generation: {"text","target"} data); --json prints one
  JSON object`;

/** The JSON contract: accuracy + macro_f1 (classification) or entity_f1 (token) at the top level. */
export function evaluationJson(evaluation: ModelEvaluation, model: { dir: string; id: string | null }): Record<string, unknown> {
  const base = { model_dir: model.dir, version: model.id, kind: evaluation.kind };
  if (evaluation.kind === "classification") {
    const m = evaluation.metrics;
    return { ...base, ...m }; // accuracy and macro_f1 are top-level fields of m
  }
  if (evaluation.kind === "generation") {
    const outputs = new Map(evaluation.predictions.map((p) => [p.id, p.output]));
    return { ...base, ...evaluation.metrics, generated_tokens_per_s: evaluation.generated_tokens_per_s, outputs: [...outputs].map(([id, output]) => ({ id, output })) };
  }
  const m = evaluation.metrics;
  return { ...base, entity_f1: m.f1, entity_precision: m.precision, entity_recall: m.recall, ...m };
}

export async function evalCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: { model: { type: "string" }, data: { type: "string" }, json: { type: "boolean", default: false }, registry: { type: "string" } },
  });
  if (!values.model || !values.data) throw new UsageError("eval needs --model and --data");
  const model = await resolveModelDir(values.model, values.registry);
  const { evaluation, n } = await evaluateModelOnFile(model.dir, values.data);
  if (values.json) {
    console.log(JSON.stringify(evaluationJson(evaluation, model)));
    return;
  }
  console.log(`model ${model.id ?? model.dir} on ${values.data} (${n} examples)`);
  console.log(evaluation.report);
}
