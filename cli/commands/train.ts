import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { dataVersionHash, readExamples, writeExamplesJsonl } from "../../data/index.ts";
import { JobSpec } from "../../trainer/job-spec.ts";
import { trainModel } from "../../trainer/launcher.ts";
import { readModelDir } from "../../trainer/model-dir.ts";
import { announceRegistered, openRegistry, parseNumber } from "../context.ts";
import { progressPrinter } from "../../lib/progress-bar.ts";
import { UsageError } from "../usage-error.ts";
import { trainGenerationCommand } from "./train-generation.ts";

export const TRAIN_USAGE = `pioneer train --data TRAIN.jsonl|csv --out DIR [options]
  --kind classification|token|generation   default: detected from the data (generation: say so)
  --model minilm|<hf id|dir>    default: minilm (packaged all-MiniLM-L6-v2)
  --strategy head|lora|full     default: full
  --dev DEV.jsonl               scored during training
  --epochs N --seed N --lr X --batch-size N --max-length N
  --class-weights balanced      --oos-label LABEL (e.g. oos)
  --label-smoothing X           share of each target spread evenly over all labels (default 0)
  --parent ID                   registry version this one derives from
  --promote                     make it the promoted version
  --registry DIR                default: $PIONEER_REGISTRY or ./.pioneer/registry
  --json                        print the registered manifest as JSON
  generation ({"text","target"[,"rationale"]}; a LoRA fine-tune of the decoder student):
  --model smollm2|<hf id|dir>   default: smollm2 (packaged SmolLM2-135M-Instruct)
  --targets answer|rationale|self  learn the answer alone, the rationale then the answer (rationales
                                whose last line does not state the answer are rejected and counted),
                                or self: the outputs of --self-from MODEL (--samples K at
                                --temperature T a question) that reached the gold answer
  --answer exact|number         how exact match reads an output's answer (number: after ####, else
                                the last number)
  --strategy lora|full --max-steps N --max-new-tokens N`;

export async function trainCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      data: { type: "string" }, out: { type: "string" }, kind: { type: "string" }, model: { type: "string", default: "minilm" },
      strategy: { type: "string", default: "full" }, dev: { type: "string" }, epochs: { type: "string" }, seed: { type: "string" },
      lr: { type: "string" }, "batch-size": { type: "string" }, "max-length": { type: "string" }, "class-weights": { type: "string" },
      "label-smoothing": { type: "string" }, "oos-label": { type: "string" }, parent: { type: "string" }, promote: { type: "boolean", default: false },
      registry: { type: "string" }, json: { type: "boolean", default: false }, threads: { type: "string" },
      targets: { type: "string" }, answer: { type: "string" }, "max-steps": { type: "string" }, "max-new-tokens": { type: "string" },
      "self-from": { type: "string" }, samples: { type: "string" }, temperature: { type: "string" },
    },
  });
  if (!values.data || !values.out) throw new UsageError("train needs --data and --out");
  if (values.kind === "generation") {
    // Defaults of the encoder kinds (minilm, full) are not the decoder's: only what was given counts.
    const given = (flag: string) => argv.some((a) => a === `--${flag}` || a.startsWith(`--${flag}=`));
    return trainGenerationCommand({ ...values, strategy: given("strategy") ? values.strategy : undefined, model: given("model") ? values.model : undefined });
  }
  if (values.kind && values.kind !== "classification" && values.kind !== "token") {
    throw new UsageError(`--kind must be classification, token or generation, got "${values.kind}"`);
  }
  for (const flag of ["targets", "answer", "max-steps", "max-new-tokens", "self-from", "samples", "temperature"] as const) {
    if (values[flag] !== undefined) throw new UsageError(`--${flag} is for generation models (--kind generation)`);
  }
  // 1. Read and validate the data (errors name file, line and field).
  const train = await readExamples(values.data, values.kind ? { kind: values.kind as "classification" | "token" } : {});
  const dev = values.dev ? await readExamples(values.dev, { kind: train.kind }) : undefined;
  const outDir = resolve(values.out);
  const dataDir = join(outDir, "data");

  // 2. The job spec and the output folder are checked before anything is written.
  const spec = JobSpec.safeParse({
    kind: train.kind,
    train_path: join(dataDir, "train.jsonl"),
    out_dir: outDir,
    model: values.model,
    strategy: values.strategy,
    ...(dev ? { dev_path: join(dataDir, "dev.jsonl") } : {}),
    epochs: parseNumber("epochs", values.epochs),
    seed: parseNumber("seed", values.seed),
    learning_rate: parseNumber("lr", values.lr),
    batch_size: parseNumber("batch-size", values["batch-size"]),
    max_length: parseNumber("max-length", values["max-length"]),
    threads: parseNumber("threads", values.threads),
    label_smoothing: parseNumber("label-smoothing", values["label-smoothing"]),
    ...(values["class-weights"] ? { class_weights: values["class-weights"] } : {}),
    ...(values["oos-label"] ? { oos_label: values["oos-label"] } : {}),
  });
  if (!spec.success) {
    const issue = spec.error.issues[0];
    throw new UsageError(`invalid option for field "${issue?.path.join(".")}": ${issue?.message}`);
  }
  const registry = openRegistry(values.registry);
  const registered = await registry.resolve(outDir).catch(() => null);
  if (registered) {
    throw new UsageError(`--out ${outDir} holds version ${registered.id} of the model registry at ${registry.root}; a registered model directory is never rewritten: choose another --out`);
  }
  await mkdir(dataDir, { recursive: true });
  await writeExamplesJsonl(join(dataDir, "train.jsonl"), train.examples);
  if (dev) await writeExamplesJsonl(join(dataDir, "dev.jsonl"), dev.examples);

  // 3. Fine-tune through the worker, with a progress bar on stderr.
  console.error(`training ${spec.data.strategy} ${train.kind} model on ${train.examples.length} examples from ${values.data}`);
  const printer = progressPrinter();
  const result = await trainModel(spec.data, {
    onProgress: (e) => printer.update(e),
    onMetric: (m) => console.error(`  epoch ${m.epoch}: ${m.split} ${m.name} = ${m.value}`),
  });

  // 4. Register the version (and promote it when asked).
  const model = await readModelDir(result.modelDir);
  const manifest = await registry.register({
    parent: values.parent ?? null,
    model_dir: result.modelDir,
    data_version: dataVersionHash(train.examples),
    task_kind: train.kind,
    labels: model.labels,
    base_model: values.model,
    strategy: spec.data.strategy,
    hyperparameters: model.config,
    metrics: result.metrics,
  });
  await announceRegistered(registry, manifest, result.modelDir, { promote: Boolean(values.promote), json: Boolean(values.json) });
}
