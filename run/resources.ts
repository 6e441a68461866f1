import { join, resolve } from "node:path";
import { MemoryStore, WorkerEmbedder } from "../memory/index.ts";
import { ModelRegistry } from "../trainer/registry.ts";
import { WorkerServer } from "../trainer/serve-client.ts";
import { RunFolder } from "./run-folder.ts";
import type { TaskKind } from "./types.ts";

/** Where a run's shared resources live and how its worker runs. */
export interface ResourceOptions {
  memoryDir: string;
  registryDir: string;
  threads?: number;
}

/** The run's folders, from its options: memory defaults to `<run_dir>/memory`, the registry to
 * $PIONEER_REGISTRY or ./.pioneer/registry. */
export function resourceOptions(input: { run_dir: string; memory_dir?: string | undefined; registry_dir?: string | undefined; threads?: number | undefined }): ResourceOptions {
  return {
    memoryDir: resolve(input.memory_dir ?? join(input.run_dir, "memory")),
    registryDir: resolve(input.registry_dir ?? process.env.PIONEER_REGISTRY ?? ".pioneer/registry"),
    ...(input.threads ? { threads: input.threads } : {}),
  };
}

/**
 * The live resources of maintenance runs, which cannot sit in (serializable) graph state: one serve
 * worker (models stay loaded between calls), the LanceDB memory, the model registry, and the run
 * folders opened through them (their validated files cached). Whoever opens them closes them: the
 * CLI, a benchmark or a test passes them to the graph in its configuration (`ensureConfiguration`).
 */
export class RunResources {
  private readonly folders = new Map<string, RunFolder>();

  private constructor(
    readonly options: ResourceOptions,
    readonly server: WorkerServer,
    readonly embedder: WorkerEmbedder,
    readonly memory: MemoryStore,
    readonly registry: ModelRegistry,
  ) {}

  static async open(given: ResourceOptions): Promise<RunResources> {
    const options = { ...given, memoryDir: resolve(given.memoryDir), registryDir: resolve(given.registryDir) };
    const server = await WorkerServer.start(options.threads ? { threads: options.threads } : {});
    try {
      const embedder = new WorkerEmbedder(server);
      const memory = await MemoryStore.open(options.memoryDir, embedder);
      return new RunResources(options, server, embedder, memory, new ModelRegistry(options.registryDir));
    } catch (err) {
      await server.close();
      throw err;
    }
  }

  /** Whether these resources serve a run with these options. */
  serves(options: ResourceOptions): boolean {
    return this.options.memoryDir === options.memoryDir && this.options.registryDir === options.registryDir;
  }

  /** The owner of a run folder (one per folder, so its cache is shared by every node). */
  runFolder(dir: string, kind: TaskKind): RunFolder {
    const key = `${resolve(dir)}|${kind}`;
    let folder = this.folders.get(key);
    if (!folder) {
      folder = new RunFolder(dir, kind);
      this.folders.set(key, folder);
    }
    return folder;
  }

  async close(): Promise<void> {
    this.memory.close();
    await this.server.close();
  }
}
