import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bankingSlice, wnutSlice } from "../test-support/slices.ts";
import { trainModel } from "./launcher.ts";
import { WorkerServer } from "./serve-client.ts";
import { WorkerCrashedError, WorkerReportedError } from "./worker-errors.ts";

let server: WorkerServer;
let classifier: string;
let tagger: string;
let labels: string[];

beforeAll(async () => {
  const bank = await bankingSlice();
  labels = [...new Set(bank.examples.map((e) => ("label" in e ? e.label : "")))].sort();
  classifier = (await trainModel({ kind: "classification", train_path: bank.train, out_dir: join(bank.dir, "m"), strategy: "head", epochs: 20, threads: 1 })).modelDir;
  const wnut = await wnutSlice(24);
  tagger = (await trainModel({ kind: "token", train_path: wnut.train, out_dir: join(wnut.dir, "t"), strategy: "head", max_steps: 3, threads: 1 })).modelDir;
  server = await WorkerServer.start({ threads: 1 });
});
afterAll(async () => {
  await server?.close();
});

describe("WorkerServer", () => {
  it("predicts labels with a full probability distribution, keeping ids", async () => {
    const preds = await server.predictTexts(classifier, ["I still have not received my new card", "how do I activate my card"], ["a", "b"]);
    expect(preds.map((p) => p.id)).toEqual(["a", "b"]);
    for (const p of preds) {
      const probs = p.probs ?? {};
      expect(Object.keys(probs).sort()).toEqual(labels);
      expect(Object.values(probs).reduce((s, v) => s + v, 0)).toBeCloseTo(1, 3);
      expect(p.label).toBe(Object.entries(probs).sort((x, y) => y[1] - x[1])[0]?.[0]);
    }
  });

  it("tags tokens with one confidence each and decodes spans", async () => {
    const [pred] = await server.predictTokens(tagger, [["Taylor", "Swift", "played", "in", "London", "tonight"]]);
    expect(pred?.tags).toHaveLength(6);
    expect(pred?.confidences).toHaveLength(6);
    for (const span of pred?.spans ?? []) expect(pred?.tags[span.start]).toMatch(new RegExp(`^[BI]-${span.type}$`));
  });

  it("embeds with unit-length vectors where paraphrases are closest", async () => {
    const [a, b, c] = await server.embed(["I lost my card", "my card has gone missing", "what time is it in Tokyo"]);
    const dot = (x: number[], y: number[]) => x.reduce((s, v, i) => s + v * (y[i] ?? 0), 0);
    expect(dot(a!, a!)).toBeCloseTo(1, 3);
    expect(dot(a!, b!)).toBeGreaterThan(dot(a!, c!));
  });

  it("answers a bad request with a typed error and keeps serving", async () => {
    await expect(server.predictTexts("/no/such/model", ["x"])).rejects.toBeInstanceOf(WorkerReportedError);
    await expect(server.request("ping")).resolves.toMatchObject({ models: expect.arrayContaining([classifier]) });
  });

  it("rejects pending requests when the process dies", async () => {
    const doomed = await WorkerServer.start({ threads: 1 });
    const pending = doomed.embed(["a"]);
    doomed.kill();
    await expect(pending).rejects.toBeInstanceOf(WorkerCrashedError);
  });
});
