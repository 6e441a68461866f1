import { join, resolve } from "node:path";
import { MemoryStore, WorkerEmbedder } from "../memory/index.ts";
import { ModelRegistry } from "../trainer/registry.ts";
import { WorkerServer } from "../trainer/serve-client.ts";
import type { MaintainInput } from "./maintain-input.ts";

/** Live resources of a maintenance run that cannot sit in (serializable) graph state: one serve
 * worker (models stay loaded), the LanceDB memory and the model registry. Opened on first use and
 * shared by every node of the run in this process. */
export interface RunContext {
  server: WorkerServer;
  embedder: WorkerEmbedder;
  memory: MemoryStore;
  registry: ModelRegistry;
}

const contexts = new Map<string, Promise<RunContext>>();

export function memoryDirOf(input: MaintainInput): string {
  return resolve(input.memory_dir ?? join(input.run_dir, "memory"));
}

export function registryDirOf(input: MaintainInput): string {
  return resolve(input.registry_dir ?? process.env.PIONEER_REGISTRY ?? ".pioneer/registry");
}

export function getRunContext(input: MaintainInput): Promise<RunContext> {
  const key = `${memoryDirOf(input)}|${registryDirOf(input)}`;
  let context = contexts.get(key);
  if (!context) {
    context = (async () => {
      const server = await WorkerServer.start(input.threads ? { threads: input.threads } : {});
      const embedder = new WorkerEmbedder(server);
      const memory = await MemoryStore.open(memoryDirOf(input), embedder);
      return { server, embedder, memory, registry: new ModelRegistry(registryDirOf(input)) };
    })();
    contexts.set(key, context);
    context.catch(() => contexts.delete(key));
  }
  return context;
}

/** Stops the workers and closes the memories opened by this process. */
export async function closeRunContexts(): Promise<void> {
  const all = [...contexts.values()];
  contexts.clear();
  for (const pending of all) {
    const context = await pending.catch(() => null);
    if (!context) continue;
    context.memory.close();
    await context.server.close();
  }
}
