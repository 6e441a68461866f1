import { describe, expect, it } from "vitest";
import { inputText, WorkerEmbedder, type EmbedServer } from "./embedder.ts";
import { VectorDimensionError } from "./memory-errors.ts";

/** Records what the embedder asks the worker; answers a 384-dim vector seeded by the text length. */
class RecordingServer implements EmbedServer {
  readonly requests: string[][] = [];
  constructor(private readonly dim = 384) {}
  async embed(texts: string[]): Promise<number[][]> {
    this.requests.push([...texts]);
    return texts.map((t) => Array.from({ length: this.dim }, (_, i) => (i === 0 ? t.length : 0)));
  }
}

describe("inputText", () => {
  it("uses the text, or the tokens joined with single spaces", () => {
    expect(inputText({ text: "card not here" })).toBe("card not here");
    expect(inputText({ tokens: ["Taylor", "Swift", "in", "London"] })).toBe("Taylor Swift in London");
  });
});

describe("WorkerEmbedder", () => {
  it("sends each distinct uncached text once, in batches of the batch size", async () => {
    const server = new RecordingServer();
    const embedder = new WorkerEmbedder(server, { batchSize: 2 });
    const vectors = await embedder.embed(["a", "bb", "a", "ccc", "dddd", "eeeee"]);
    expect(server.requests).toEqual([["a", "bb"], ["ccc", "dddd"], ["eeeee"]]);
    expect(vectors.map((v) => v[0])).toEqual([1, 2, 1, 3, 4, 5]);
    expect(embedder.dim).toBe(384);
  });

  it("answers repeated texts from its cache on later calls", async () => {
    const server = new RecordingServer();
    const embedder = new WorkerEmbedder(server);
    await embedder.embed(["a", "bb"]);
    const again = await embedder.embed(["bb", "ccc", "a"]);
    expect(server.requests).toEqual([["a", "bb"], ["ccc"]]);
    expect(again.map((v) => v[0])).toEqual([2, 3, 1]);
    await embedder.embed([]);
    expect(server.requests).toHaveLength(2);
  });

  it("batches 256 texts a request unless told", async () => {
    const server = new RecordingServer();
    await new WorkerEmbedder(server).embed(Array.from({ length: 300 }, (_, i) => `t${i}`));
    expect(server.requests.map((r) => r.length)).toEqual([256, 44]);
  });

  it("drops the oldest cached vectors beyond its cache size", async () => {
    const server = new RecordingServer();
    const embedder = new WorkerEmbedder(server, { maxCacheEntries: 2 });
    await embedder.embed(["a", "bb", "ccc"]);
    await embedder.embed(["bb", "ccc", "a"]);
    expect(server.requests).toEqual([["a", "bb", "ccc"], ["a"]]);
  });

  it("rejects vectors of the wrong size from the worker", async () => {
    const embedder = new WorkerEmbedder(new RecordingServer(8));
    await expect(embedder.embed(["a"])).rejects.toBeInstanceOf(VectorDimensionError);
  });
});
