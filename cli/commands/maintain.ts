import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { type RunCheckpoints, hasRunCheckpoints, openRunCheckpoints } from "../../graph/checkpointer.ts";
import { compileMaintainGraph } from "../../graph/graph.ts";
import { MaintainInput } from "../../graph/maintain-input.ts";
import { RunResources, resourceOptions } from "../../run/resources.ts";
import { readModelDir } from "../../trainer/model-dir.ts";
import { parseNumber, resolveModelDir } from "../context.ts";
import { followMaintainRun, recordedInput } from "../../graph/follow-run.ts";
import { GENERATION_MAINTAIN_OPTIONS, maintainGeneration } from "./maintain-generation.ts";
import { UsageError } from "../usage-error.ts";
import { MAINTAIN_USAGE } from "./maintain-usage.ts";

export { MAINTAIN_USAGE };

function parseMaintainArgs(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    options: {
      model: { type: "string" }, train: { type: "string" }, regression: { type: "string" }, failures: { type: "string" }, log: { type: "string" },
      dev: { type: "string" }, rounds: { type: "string" }, minutes: { type: "string" }, epsilon: { type: "string" },
      delta: { type: "string" }, target: { type: "string" }, memory: { type: "string" }, "run-dir": { type: "string" },
      registry: { type: "string" }, "allow-new-labels": { type: "boolean", default: false }, "oos-label": { type: "string" }, "max-epochs": { type: "string" },
      threads: { type: "string" }, seed: { type: "string" }, resume: { type: "string" }, json: { type: "boolean", default: false },
      "approve-promotion": { type: "boolean", default: false }, "approve-training-over": { type: "string" },
      llm: { type: "string" }, "llm-budget-tokens": { type: "string" }, "llm-max-tries": { type: "string" },
      ...GENERATION_MAINTAIN_OPTIONS,
    },
  }).values;
}
type MaintainValues = ReturnType<typeof parseMaintainArgs>;

export async function maintainCommand(argv: string[]): Promise<void> {
  const values = parseMaintainArgs(argv);
  // A generation model is maintained by its own round (run/generation-maintenance.ts), not the graph.
  if (!values.resume && values.model && values.train && values.regression && values.failures) {
    const ref = await resolveModelDir(values.model, values.registry);
    const manifest = await readModelDir(ref.dir).catch(() => null);
    if (manifest?.kind === "generation") return maintainGeneration(values, { ...ref, manifest });
  }
  if (!values.resume && values.model && values.log) {
    const manifest = await readModelDir((await resolveModelDir(values.model, values.registry)).dir).catch(() => null);
    if (manifest && manifest.kind !== "classification") throw new UsageError(`--log takes a classifier's production log ({"text","label","pred"} a line); ${values.model} is a ${manifest.kind} model: pass --failures and --regression`);
  }
  const generationOnly = Object.keys(GENERATION_MAINTAIN_OPTIONS).find((flag) => values[flag as keyof typeof values] !== undefined);
  if (generationOnly) throw new UsageError(`--${generationOnly} is for generation models; --model is a classification or token model`);
  const runDir = resolve(values.resume ?? values["run-dir"] ?? join("runs", `maintain-${new Date().toISOString().replace(/[:.]/g, "-")}`));
  // A run folder holds one run: a new run never starts over in it, and a resume needs one there.
  const exists = hasRunCheckpoints(runDir);
  if (values.resume && !exists) throw new UsageError(`${runDir} holds no maintain run to resume (no checkpoints); start one with --run-dir`);
  if (!values.resume && exists) throw new UsageError(`${runDir} already holds a maintain run; continue it with --resume ${runDir}, or start a new run in another --run-dir`);
  const checkpoints = await openRunCheckpoints(runDir, { create: !values.resume });
  try {
    await runWithCheckpoints(values, runDir, checkpoints);
  } finally {
    await checkpoints.close();
  }
}

async function runWithCheckpoints(values: MaintainValues, runDir: string, checkpoints: RunCheckpoints): Promise<void> {
  const { threadId } = checkpoints;
  const graph = compileMaintainGraph(checkpoints.saver);
  let input: { input: MaintainInput } | null = null;
  if (!values.resume) {
    if (values.log) {
      const given = (["failures", "regression", "dev"] as const).filter((flag) => values[flag] !== undefined);
      if (given.length) throw new UsageError(`--log is split into the failures, the regression set and a production dev set; drop --${given.join(" and --")}, or drop --log`);
    }
    if (!values.model || !values.train || (!values.log && (!values.regression || !values.failures))) {
      throw new UsageError("maintain needs --model, --train and either --log (a production log) or --regression and --failures (or --resume RUN_DIR)");
    }
    const parsed = MaintainInput.safeParse({
      model: values.model,
      train_path: resolve(values.train),
      ...(values.log ? { log_path: resolve(values.log) } : { regression_path: resolve(values.regression!), failures_path: resolve(values.failures!) }),
      ...(values.dev ? { dev_path: resolve(values.dev) } : {}),
      run_dir: runDir,
      ...(values.memory ? { memory_dir: resolve(values.memory) } : {}),
      ...(values.registry ? { registry_dir: resolve(values.registry) } : {}),
      rounds: parseNumber("rounds", values.rounds),
      minutes: parseNumber("minutes", values.minutes),
      epsilon: parseNumber("epsilon", values.epsilon),
      delta: parseNumber("delta", values.delta),
      target: parseNumber("target", values.target),
      max_epochs: parseNumber("max-epochs", values["max-epochs"]),
      threads: parseNumber("threads", values.threads),
      seed: parseNumber("seed", values.seed),
      allow_new_labels: values["allow-new-labels"],
      ...(values["oos-label"] ? { oos_label: values["oos-label"] } : {}),
      approve_promotion: values["approve-promotion"],
      approve_training_over: parseNumber("approve-training-over", values["approve-training-over"]),
      ...(values.llm ? { llm: values.llm } : {}),
      llm_budget_tokens: parseNumber("llm-budget-tokens", values["llm-budget-tokens"]),
      llm_max_tries: parseNumber("llm-max-tries", values["llm-max-tries"]),
    });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new UsageError(`invalid option for "${issue?.path.join(".")}": ${issue?.message}`);
    }
    // Bound to its registry and memory from the first checkpoint on: resolved now, not at a resume.
    const folders = resourceOptions(parsed.data);
    input = { input: { ...parsed.data, registry_dir: folders.registryDir, memory_dir: folders.memoryDir } };
    console.error(`maintain run ${threadId} in ${runDir} (checkpoints: ${checkpoints.where})`);
  } else {
    console.error(`resuming maintain run ${threadId} from its last checkpoint`);
  }
  // The worker, memory and registry of the run, from its options (on resume, as the run recorded them).
  const options = input?.input ?? (await recordedInput(graph, threadId));
  if (!options) throw new UsageError(`${runDir} holds no maintain run to resume`);
  const bound = resourceOptions(options);
  if (values.resume) {
    for (const [flag, given, recorded] of [["registry", values.registry, bound.registryDir], ["memory", values.memory, bound.memoryDir]] as const) {
      if (given !== undefined && resolve(given) !== recorded) throw new UsageError(`the run in ${runDir} belongs to the ${flag} at ${recorded}, where it started; drop --${flag} or pass that one`);
    }
  }
  const resources = await RunResources.open(bound);
  try {
    await followMaintainRun(graph, input, { threadId, runDir, resources, json: values.json });
  } finally {
    await resources.close();
  }
}
