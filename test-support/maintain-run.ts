import { join } from "node:path";
import { MaintainInput, type MaintainInputArgs } from "../graph/maintain-input.ts";
import { RunResources, resourceOptions } from "../run/resources.ts";
import { ModelRegistry } from "../trainer/registry.ts";
import { type MaintainSlice, registerDeployed } from "./maintain-slice.ts";

/** One maintenance run of the tiny slice in its own folder: a fresh registry holding v0 (promoted),
 * the graph input (one round, tiny budgets), and the run's resources, which `opened` collects so
 * the test closes them as a CLI process would. */
export async function sliceRun(slice: MaintainSlice, name: string, opened: RunResources[], overrides: Partial<MaintainInputArgs> = {}) {
  const registryDir = join(slice.dir, name, "registry");
  const v0 = await registerDeployed(registryDir, slice.v0Dir, slice.train);
  const input = MaintainInput.parse({
    model: v0,
    train_path: slice.train,
    regression_path: slice.regression,
    failures_path: slice.failures,
    dev_path: slice.dev,
    run_dir: join(slice.dir, name, "run"),
    registry_dir: registryDir,
    rounds: 1,
    max_epochs: 2,
    threads: 1,
    ...overrides,
  } satisfies MaintainInputArgs);
  const resources = await RunResources.open(resourceOptions(input));
  opened.push(resources);
  return { v0, input, resources, registry: new ModelRegistry(registryDir), config: { configurable: { thread_id: name, resources }, recursionLimit: 50 } };
}
