import type { WorkerServer } from "../trainer/serve-client.ts";
import { VectorDimensionError } from "./memory-errors.ts";

/** Turns texts into unit-length vectors (cosine similarity = dot product). */
export interface Embedder {
  readonly dim: number;
  embed(texts: string[]): Promise<number[][]>;
}

/** The text of an example as the memory embeds it: the text itself, or the tokens joined with spaces. */
export function inputText(example: { text: string } | { tokens: readonly string[] }): string {
  return "text" in example ? example.text : example.tokens.join(" ");
}

/** What WorkerEmbedder needs of a WorkerServer. */
export type EmbedServer = Pick<WorkerServer, "embed">;

export interface WorkerEmbedderOptions {
  /** Texts per request to the worker; 256 unless told. */
  batchSize?: number;
  /** Embedding model the worker knows by name; "minilm" unless told. */
  model?: string;
  /** Cached vectors kept at most (oldest dropped first); 20,000 unless told. */
  maxCacheEntries?: number;
}

/** MiniLM embeddings from the Python worker, batched, with an in-process cache keyed by text. */
export class WorkerEmbedder implements Embedder {
  readonly dim = 384;
  private readonly cache = new Map<string, number[]>();
  private readonly batchSize: number;
  private readonly model: string;
  private readonly maxCacheEntries: number;

  constructor(
    private readonly server: EmbedServer,
    options: WorkerEmbedderOptions = {},
  ) {
    this.batchSize = Math.max(1, options.batchSize ?? 256);
    this.model = options.model ?? "minilm";
    this.maxCacheEntries = Math.max(0, options.maxCacheEntries ?? 20_000);
  }

  async embed(texts: string[]): Promise<number[][]> {
    // Taken from the cache up front: embedding the missing texts may evict them.
    const found = new Map<string, number[]>();
    for (const t of texts) {
      const cached = this.cache.get(t);
      if (cached) found.set(t, cached);
    }
    const missing = [...new Set(texts.filter((t) => !found.has(t)))];
    for (let start = 0; start < missing.length; start += this.batchSize) {
      const batch = missing.slice(start, start + this.batchSize);
      const vectors = await this.server.embed(batch, this.model);
      batch.forEach((text, i) => {
        const vector = vectors[i];
        if (vector?.length !== this.dim) throw new VectorDimensionError(this.dim, vector?.length ?? 0, `the worker's embedding of "${text.slice(0, 40)}"`);
        found.set(text, vector);
        this.remember(text, vector);
      });
    }
    return texts.map((t) => {
      const vector = found.get(t);
      if (!vector) throw new Error(`internal: no embedding for "${t.slice(0, 40)}"`);
      return vector;
    });
  }

  private remember(text: string, vector: number[]): void {
    if (this.maxCacheEntries === 0) return;
    this.cache.set(text, vector);
    while (this.cache.size > this.maxCacheEntries) {
      const oldest = this.cache.keys().next();
      if (oldest.done) break;
      this.cache.delete(oldest.value);
    }
  }
}
