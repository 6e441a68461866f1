import { existsSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { openCheckpointer } from "../../graph/checkpointer.ts";
import { compileMaintainGraph } from "../../graph/graph.ts";
import { MaintainInput } from "../../graph/maintain-input.ts";
import type { MaintainStateType } from "../../graph/state.ts";
import type { Decision } from "../../run/types.ts";
import { RunResources, resourceOptions } from "../../run/resources.ts";
import { readModelDir } from "../../trainer/model-dir.ts";
import { parseNumber, resolveModelDir } from "../context.ts";
import { GENERATION_MAINTAIN_OPTIONS, maintainGeneration } from "./maintain-generation.ts";
import { UsageError } from "../usage-error.ts";
import { MAINTAIN_USAGE } from "./maintain-usage.ts";

export { MAINTAIN_USAGE };

function describe(node: string, update: Record<string, unknown>): string {
  const decisions = (update.decisions as Decision[] | undefined) ?? [];
  const own = node === "data_curator" ? "data_curator" : node;
  const d = (decisions.find((x) => x.agent === own && x.decision.round_plan === undefined) ?? decisions.at(-1))?.decision ?? {};
  switch (node) {
    case "intake":
    {
      const earlier = (d.earlier_runs as { gold: number }[] | undefined) ?? [];
      const fromMemory = earlier.length ? ` + ${earlier.reduce((n, r) => n + r.gold, 0)} gold of ${earlier.length} earlier run(s) from memory` : "";
      return `loaded ${d.train} train / ${d.dev} dev / ${d.regression} regression / ${d.failures} failures${fromMemory}; deployed model scores ${Number(d.parent_task_metric).toFixed(4)}`;
    }
    case "planner": {
      const plan = decisions.find((x) => x.agent === "planner" && x.decision.round_plan !== undefined);
      const planned = plan ? `; round plan by ${plan.mode}${plan.note ? ` (${plan.note})` : ""}: ${String(plan.decision.round_plan)}` : "";
      return `-> ${String(d.next)} (${String(d.reason)})${planned}`;
    }
    case "diagnostician":
      return `causes ${JSON.stringify(d.counts)}; ${d.pool_label_issues} suspect pool labels`;
    case "data_curator":
      return `data ${d.data_version}: ${d.examples} examples, +${d.added} -${d.removed} ~${d.relabeled} relabeled`;
    case "trainer":
      return `${d.strategy} from ${d.init_from}, ${d.epochs} epochs, lr ${d.learning_rate} (${d.wall_s}s)`;
    case "evaluator":
      return `${d.pass ? "PROMOTED " + String(d.promoted) : "rejected"}: ${(d.reasons as string[] | undefined)?.join("; ")}`;
    case "report":
      return "report written";
    default:
      return "";
  }
}

export async function maintainCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      model: { type: "string" }, train: { type: "string" }, regression: { type: "string" }, failures: { type: "string" },
      dev: { type: "string" }, rounds: { type: "string" }, minutes: { type: "string" }, epsilon: { type: "string" },
      delta: { type: "string" }, target: { type: "string" }, memory: { type: "string" }, "run-dir": { type: "string" },
      registry: { type: "string" }, "allow-new-labels": { type: "boolean", default: false }, "max-epochs": { type: "string" },
      threads: { type: "string" }, seed: { type: "string" }, resume: { type: "string" }, json: { type: "boolean", default: false },
      llm: { type: "string" }, "llm-budget-tokens": { type: "string" }, "llm-max-tries": { type: "string" },
      ...GENERATION_MAINTAIN_OPTIONS,
    },
  });
  // A generation model is maintained by its own round (run/generation-maintenance.ts), not the graph.
  if (!values.resume && values.model && values.train && values.regression && values.failures) {
    const ref = await resolveModelDir(values.model, values.registry);
    const manifest = await readModelDir(ref.dir).catch(() => null);
    if (manifest?.kind === "generation") return maintainGeneration(values, { ...ref, manifest });
  }
  const generationOnly = Object.keys(GENERATION_MAINTAIN_OPTIONS).find((flag) => values[flag as keyof typeof values] !== undefined);
  if (generationOnly) throw new UsageError(`--${generationOnly} is for generation models; --model is a classification or token model`);
  const runDir = resolve(values.resume ?? values["run-dir"] ?? join("runs", `maintain-${new Date().toISOString().replace(/[:.]/g, "-")}`));
  const threadId = basename(runDir);
  // A run folder holds one run: a new run never starts over in it, and a resume needs one there.
  const checkpoints = join(runDir, "checkpoints.sqlite");
  if (values.resume && !existsSync(checkpoints)) throw new UsageError(`${runDir} holds no maintain run to resume (no checkpoints.sqlite); start one with --run-dir`);
  if (!values.resume && existsSync(checkpoints)) throw new UsageError(`${runDir} already holds a maintain run; continue it with --resume ${runDir}, or start a new run in another --run-dir`);
  const graph = compileMaintainGraph(openCheckpointer(checkpoints));
  let input: { input: MaintainInput } | null = null;
  if (!values.resume) {
    if (!values.model || !values.train || !values.regression || !values.failures) {
      throw new UsageError("maintain needs --model, --train, --regression and --failures (or --resume RUN_DIR)");
    }
    const parsed = MaintainInput.safeParse({
      model: values.model,
      train_path: resolve(values.train),
      regression_path: resolve(values.regression),
      failures_path: resolve(values.failures),
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
    console.error(`maintain run ${threadId} in ${runDir}`);
  } else {
    console.error(`resuming maintain run ${threadId} from its last checkpoint`);
  }
  // The worker, memory and registry of the run, from its options (on resume, as the run recorded them).
  const options = input?.input ?? ((await graph.getState({ configurable: { thread_id: threadId } })).values as Partial<MaintainStateType>).input;
  if (!options) throw new UsageError(`${runDir} holds no maintain run to resume`);
  const bound = resourceOptions(options);
  if (values.resume) {
    for (const [flag, given, recorded] of [["registry", values.registry, bound.registryDir], ["memory", values.memory, bound.memoryDir]] as const) {
      if (given !== undefined && resolve(given) !== recorded) throw new UsageError(`the run in ${runDir} belongs to the ${flag} at ${recorded}, where it started; drop --${flag} or pass that one`);
    }
  }
  const resources = await RunResources.open(bound);
  const config = { configurable: { thread_id: threadId, resources }, recursionLimit: 200, streamMode: "updates" as const };
  try {
    let round = 1;
    for await (const chunk of await graph.stream(input as never, config)) {
      for (const [node, update] of Object.entries(chunk as Record<string, Record<string, unknown>>)) {
        // A step is printed under the round it decided for (the evaluator's update already counts the next one).
        const decided = (update?.decisions as Decision[] | undefined)?.[0]?.round;
        console.error(`[round ${decided ?? round}] ${node}: ${describe(node, update ?? {})}`);
        if (typeof update?.round === "number") round = update.round;
      }
    }
    const state = await graph.getState({ configurable: { thread_id: threadId } });
    const report = (state.values as { final_report?: { markdown_path: string; summary: Record<string, unknown> } }).final_report;
    if (!report) throw new Error(`run ${threadId} ended without a report; resume it with: pioneer maintain --resume ${runDir}`);
    if (values.json) {
      console.log(JSON.stringify(report.summary));
    } else {
      const { readFile } = await import("node:fs/promises");
      console.log(await readFile(report.markdown_path, "utf8"));
    }
  } finally {
    await resources.close();
  }
}
