import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { trainingRowsHash } from "../../generation/targets.ts";
import { runGenerationMaintenance } from "../../run/generation-maintenance.ts";
import { registerDeployed } from "../../run/promotion.ts";
import type { ModelDirManifest } from "../../trainer/model-dir.ts";
import { openRegistry, parseNumber } from "../context.ts";
import { UsageError } from "../usage-error.ts";
import { fineTuneOptions, GENERATION_RUN_OPTIONS, llmAgentsOf, optionReader, parseTargets, readGenerationOption, samplingOf, type Values } from "./generation-options.ts";

/** The options only generation maintenance takes (parseArgs form). */
export const GENERATION_MAINTAIN_OPTIONS = { ...GENERATION_RUN_OPTIONS, task: { type: "string" }, replay: { type: "string" } } as const;

/** Flags of classification and token maintenance a generation model has no use for. */
const NOT_FOR_GENERATION = ["rounds", "delta", "target", "allow-new-labels", "max-epochs", "llm-budget-tokens", "resume"];

/** `pioneer maintain` on a generation model (`model` resolved from --model). */
export async function maintainGeneration(values: Values, model: { dir: string; id: string | null; manifest: ModelDirManifest }): Promise<void> {
  const { text, positive } = optionReader(values);
  for (const flag of NOT_FOR_GENERATION) {
    if (values[flag] !== undefined && values[flag] !== false) throw new UsageError(`--${flag} is for classification and token models; ${model.dir} is a generation model`);
  }
  if (model.manifest.strategy === "head") throw new UsageError(`${model.dir}: a generation model is trained with lora or full, not head`);
  const registry = openRegistry(text("registry"));
  const runDir = resolve(text("run-dir") ?? join("runs", `maintain-${new Date().toISOString().replace(/[:.]/g, "-")}`));
  if (existsSync(join(runDir, "result.json"))) throw new UsageError(`${runDir} already holds a maintain run; start a new run in another --run-dir`);
  const train = await readGenerationOption("train", text("train")!);
  const failures = await readGenerationOption("failures", text("failures")!);
  const regression = await readGenerationOption("regression", text("regression")!);
  const dev = text("dev") ? await readGenerationOption("dev", text("dev")!) : null;

  // The task in words: given, else the one the cold start recorded with the deployed version.
  const recorded = model.id ? (await registry.get(model.id)).hyperparameters.task : undefined;
  const task = text("task") ?? (typeof recorded === "string" ? recorded : undefined);
  if (!task?.trim()) throw new UsageError(`--task is required: ${model.id ?? model.dir} has no task description recorded (describe the task in a sentence or more)`);

  // A deployed directory the registry does not know yet is registered, so candidates have a parent.
  const parentId = model.id ?? (await registerDeployed(registry, model.dir, model.manifest, trainingRowsHash(train.examples), { task }));
  const result = await runGenerationMaintenance({
    parent: { id: parentId, dir: model.dir, base_model: model.manifest.base_model, strategy: model.manifest.strategy, extractor: model.manifest.answer_extractor ?? "exact" },
    task, train, failures, regression, dev,
    strategies: parseTargets(text("targets")),
    training: fineTuneOptions(values),
    sampling: samplingOf(values),
    planner: llmAgentsOf(text("llm"), text("llm-max-tries")).planner,
    tries: positive("tries"),
    minutes: positive("minutes", false),
    threads: positive("threads"),
    replay: positive("replay", false),
    epsilon: parseNumber("epsilon", text("epsilon")),
    seed: parseNumber("seed", text("seed")),
    memoryDir: text("memory") ? resolve(text("memory")!) : undefined,
    runDir, registry,
  });
  if (values.json) {
    console.log(JSON.stringify(result));
    return;
  }
  console.log(result.promoted ? `promoted ${result.promoted} (generation, targets: ${result.strategy}): ${result.choice}` : `nothing promoted: ${result.choice}`);
  for (const c of result.candidates) console.log(`  ${c.strategy}: ${c.id}, dev exact match ${(c.dev_exact_match * 100).toFixed(2)}%, ${c.flips.length} flips, ${c.pass ? "passed" : `rejected (${c.reasons.join("; ")})`}`);
  for (const n of result.not_tried) console.log(`  ${n.strategy}: not tried (${n.why})`);
  console.log(`report: ${join(runDir, "report.md")}`);
}
