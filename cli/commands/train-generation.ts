import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { readGenerationExamples } from "../../data/index.ts";
import { AnswerExtractor } from "../../evals/answers.ts";
import { describeRejected, TARGET_STRATEGIES, type TargetStrategy, trainingRows, trainingRowsHash } from "../../generation/targets.ts";
import { progressPrinter } from "../../lib/progress-bar.ts";
import { GenerationJobSpec } from "../../trainer/job-spec.ts";
import { trainModel } from "../../trainer/launcher.ts";
import { readModelDir } from "../../trainer/model-dir.ts";
import { announceRegistered, openRegistry, parseNumber, resolveModelDir } from "../context.ts";
import { sampleSelfRationales, SELF_SAMPLING, type SelfRationales } from "../../generation/self-rationales.ts";
import { UsageError } from "../usage-error.ts";

export type TrainGenerationValues = Record<string, string | boolean | undefined>;

/** `pioneer train --kind generation`: {"text","target"[,"rationale"]} data, targets rendered per
 * strategy (answer, or rationale then answer: rationales that do not reach the answer are
 * rejected and counted), a LoRA (or full) fine-tune of the decoder student, registered. */
export async function trainGenerationCommand(values: TrainGenerationValues): Promise<void> {
  const text = (name: string) => (typeof values[name] === "string" ? (values[name] as string) : undefined);
  for (const flag of ["dev", "class-weights", "oos-label", "label-smoothing"]) {
    if (text(flag) !== undefined) throw new UsageError(`--${flag} is for classification and token models; a generation model has no use for it`);
  }
  const targets = (text("targets") ?? "answer") as TargetStrategy;
  if (!TARGET_STRATEGIES.includes(targets)) throw new UsageError(`--targets must be ${TARGET_STRATEGIES.join(" or ")}, got "${text("targets")}"`);
  const extractor = AnswerExtractor.safeParse(text("answer") ?? "exact");
  if (!extractor.success) throw new UsageError(`--answer must be number or exact, got "${text("answer")}"`);
  if ((targets === "self") !== (text("self-from") !== undefined)) throw new UsageError(targets === "self" ? "--targets self needs --self-from MODEL: the student whose sampled outputs are kept when they reach the gold answer" : "--self-from is for --targets self");
  const data = await readGenerationExamples(text("data")!);
  const outDir = resolve(text("out")!);
  const dataDir = join(outDir, "data");
  const strategy = values.strategy === "full" ? "full" : values.strategy === undefined || values.strategy === "lora" ? "lora" : null;
  if (!strategy) throw new UsageError(`--strategy must be lora or full for a generation model, got "${values.strategy}"`);
  const spec = GenerationJobSpec.safeParse({
    kind: "generation",
    train_path: join(dataDir, "train.jsonl"),
    out_dir: outDir,
    model: text("model") ?? "smollm2",
    strategy,
    epochs: parseNumber("epochs", text("epochs")),
    max_steps: parseNumber("max-steps", text("max-steps")),
    seed: parseNumber("seed", text("seed")),
    learning_rate: parseNumber("lr", text("lr")),
    batch_size: parseNumber("batch-size", text("batch-size")),
    max_length: parseNumber("max-length", text("max-length")),
    max_new_tokens: parseNumber("max-new-tokens", text("max-new-tokens")),
    threads: parseNumber("threads", text("threads")),
    answer_extractor: extractor.data,
  });
  if (!spec.success) {
    const issue = spec.error.issues[0];
    throw new UsageError(`invalid option for field "${issue?.path.join(".")}": ${issue?.message}`);
  }
  const registry = openRegistry(text("registry"));
  const registered = await registry.resolve(outDir).catch(() => null);
  if (registered) throw new UsageError(`--out ${outDir} holds version ${registered.id} of the model registry at ${registry.root}; a registered model directory is never rewritten: choose another --out`);
  let self: SelfRationales | null = null;
  if (targets === "self") {
    const from = await resolveModelDir(text("self-from")!, text("registry"));
    if ((await readModelDir(from.dir)).kind !== "generation") throw new UsageError(`--self-from ${text("self-from")} is not a generation model`);
    const sampling = { samples: parseNumber("samples", text("samples")) ?? SELF_SAMPLING.samples, temperature: parseNumber("temperature", text("temperature")) ?? SELF_SAMPLING.temperature, seed: parseNumber("seed", text("seed")) ?? 0 };
    if (!Number.isInteger(sampling.samples) || sampling.samples < 1 || sampling.temperature <= 0) throw new UsageError("--samples must be a positive whole number and --temperature above 0");
    await mkdir(dataDir, { recursive: true });
    console.error(`sampling ${sampling.samples} outputs a question from ${from.id ?? from.dir} at temperature ${sampling.temperature}`);
    self = await sampleSelfRationales(from.dir, data, extractor.data, dataDir, sampling);
    console.error(`${self.reached} of ${self.sampled} sampled outputs reached the gold answer, covering ${self.rationales.size} of ${data.examples.length} questions`);
  }
  const { rows, rejected } = trainingRows(data, targets, extractor.data, self?.rationales);
  if (rejected.length > 0) console.error(`${rejected.length} of ${data.examples.length} examples rejected for --targets ${targets} (first: ${describeRejected(rejected[0]!)})`);
  if (rows.length === 0) throw new UsageError(`no example of ${text("data")} can train with --targets ${targets}: every one was rejected`);
  await mkdir(dataDir, { recursive: true });
  await writeFile(join(dataDir, "train.jsonl"), rows.map((r) => `${JSON.stringify(r)}\n`).join(""));
  if (rejected.length > 0) await writeFile(join(dataDir, "rejected.jsonl"), rejected.map((r) => `${JSON.stringify(r)}\n`).join(""));

  console.error(`training ${strategy} generation model (${spec.data.model}, targets: ${targets}) on ${rows.length} examples from ${text("data")}`);
  const printer = progressPrinter();
  const result = await trainModel(spec.data, { onProgress: (e) => printer.update(e) });
  const model = await readModelDir(result.modelDir);
  const manifest = await registry.register({
    parent: text("parent") ?? null,
    model_dir: result.modelDir,
    data_version: trainingRowsHash(rows),
    task_kind: "generation",
    labels: [],
    base_model: spec.data.model,
    strategy,
    hyperparameters: { ...model.config, targets, rejected: rejected.length, ...(self ? { self_from: text("self-from")!, self_samples: self.sampled, self_reached: self.reached } : {}) },
    metrics: result.metrics,
  });
  await announceRegistered(registry, manifest, result.modelDir, { promote: Boolean(values.promote), json: Boolean(values.json) });
}
