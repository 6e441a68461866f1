import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { failpoint } from "../../lib/failpoint.ts";
import { dataVersionHash, groupBy } from "../../data/index.ts";
import { goldOf } from "../../run/score-model.ts";
import { earlierRunGold, inputsOf } from "../../run/earlier-runs.ts";
import { validateInputs } from "../../run/intake.ts";
import { writeLogSplit } from "../../run/production-log.ts";
import { resourceOptions } from "../../run/resources.ts";
import { registerDeployed } from "../../run/promotion.ts";
import { scoreModel } from "../../run/score-model.ts";
import { defaultLlmMode, endpointSettings } from "../../llm/settings.ts";
import { ensureConfiguration } from "../configuration.ts";
import { MaintainInput } from "../maintain-input.ts";
import type { MaintainStateType, MaintainUpdate } from "../state.ts";

/** 1. intake: validate every input file, resolve (or register) the deployed model, read what earlier
 * runs on its lineage taught it from memory, write the inputs to the run folder and score the
 * deployed model on them. The validated input goes back into state, so no node parses it again. */
export async function intakeNode(state: MaintainStateType, config?: LangGraphRunnableConfig): Promise<MaintainUpdate> {
  const parsed = MaintainInput.parse(state.input);
  // The run records what it is bound to, so a resume uses the same: its registry and memory folders
  // (resolved now, not from a later environment), and who decides (endpoint when one is configured
  // or a chat model was passed, else off).
  const folders = resourceOptions(parsed);
  const input = {
    ...parsed,
    registry_dir: folders.registryDir,
    memory_dir: folders.memoryDir,
    llm: parsed.llm ?? (defaultLlmMode() === "endpoint" || config?.configurable?.chatModel ? "endpoint" : "off"),
  } satisfies MaintainInput;
  // A run that asks for an endpoint needs one from the start (a resume without one falls back).
  if (input.llm === "endpoint" && !config?.configurable?.chatModel) endpointSettings();
  // A production log is split (seeded, recorded in the run folder) into the three sets.
  const log = input.log_path ? await writeLogSplit(input.log_path, input.run_dir, input.seed) : null;
  const inputs = await validateInputs({
    ...input,
    failures_path: log?.files.failures ?? input.failures_path!,
    regression_path: log?.files.regression ?? input.regression_path!,
    dev_path: log?.files.dev ?? input.dev_path,
    production_dev: Boolean(log),
  });
  const { resources } = await ensureConfiguration(config, input);
  const run = resources.runFolder(input.run_dir, inputs.task.kind);
  const runId = state.run_id || `run-${new Date().toISOString().replace(/[:.]/g, "-")}`;
  const modelId = inputs.deployed.id ?? (await registerDeployed(resources.registry, inputs.deployed.dir, inputs.deployed.model, dataVersionHash(inputs.train)));
  const lineage = (await resources.registry.lineage(modelId)).map((m) => m.id);
  const earlier = earlierRunGold(await resources.memory.acceptedFailuresOf(lineage, { excludeRunId: runId }), {
    kind: inputs.task.kind,
    known: inputs.known,
    currentInputs: inputsOf(inputs.failures),
  });

  const files = await run.writeInputs({ ...inputs, earlierRuns: earlier.examples });
  const predictionsDir = run.predictionsDir("parent-0");
  const scores = await scoreModel(resources.server, run, files, inputs.task, inputs.deployed.dir, predictionsDir);
  const parent = { id: modelId, dir: inputs.deployed.dir, scores, predictions_dir: predictionsDir };
  failpoint("intake");
  return {
    input,
    run_id: runId,
    started_at: state.started_at || new Date().toISOString(),
    task: inputs.task,
    files,
    baseline: parent,
    parent,
    decisions: [
      {
        agent: "intake",
        round: 0,
        at: new Date().toISOString(),
        decision: {
          model: modelId,
          train: inputs.pool.length,
          dev: inputs.dev.length,
          dev_source: log
            ? `production dev set: ${log.dev.n} of the log's ${log.entries} queries (${(log.dev_share * 100).toFixed(0)}% of each right/wrong and label group, seed ${log.seed})`
            : inputs.devGiven
              ? "given"
              : "10% of train, stratified: the deployed model trained on it, so its score is inflated",
          ...(log ? { production_log: { path: log.log, entries: log.entries, accuracy: log.right / log.entries, failures: log.failures, regression: log.regression, dev: log.dev.n }, guard: inputs.guard?.length ?? 0 } : {}),
          regression: inputs.regression.length,
          failures: inputs.failures.length,
          failure_labels: new Set(inputs.failures.map(goldOf)).size,
          oos_label: inputs.task.oos_label,
          oos_label_source: inputs.oosSource,
          earlier_runs: [...groupBy(earlier.examples, (e) => e.stage ?? "")].map(([run_id, gold]) => ({ run_id, gold: gold.length })),
          earlier_runs_skipped: earlier.skipped,
          parent_task_metric: scores.task,
        },
      },
    ],
  };
}
