import { MemoryStore, WorkerEmbedder } from "../memory/index.ts";
import { WorkerServer } from "../trainer/serve-client.ts";

/** `use` with the LanceDB memory in `dir`, its embeddings from a worker started for it. */
export async function withMemory<T>(dir: string, threads: number | undefined, use: (memory: MemoryStore) => Promise<T>): Promise<T> {
  const server = await WorkerServer.start(threads ? { threads } : {});
  try {
    const memory = await MemoryStore.open(dir, new WorkerEmbedder(server));
    try {
      return await use(memory);
    } finally {
      memory.close();
    }
  } finally {
    await server.close();
  }
}
