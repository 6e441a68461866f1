import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { candidateOf, gateVerdict, parentModel, scores } from "../test-support/maintain-state.ts";
import { PromotedVersionChangedError } from "../trainer/registry-errors.ts";
import { ModelRegistry } from "../trainer/registry.ts";
import { type Promotion, promoteCandidate } from "./promotion.ts";

let dir: string;
let registry: ModelRegistry;

/** A model directory as the worker leaves it (only pioneer.json is read here). */
async function modelDir(name: string): Promise<string> {
  const path = join(dir, name);
  await mkdir(path, { recursive: true });
  await writeFile(join(path, "pioneer.json"), JSON.stringify({ kind: "classification", labels: ["A", "B"], base_model: "minilm", strategy: "full", config: {}, metrics: {} }));
  return path;
}

async function registered(name: string, parent: string | null): Promise<string> {
  return (await registry.register({ parent, model_dir: await modelDir(name), data_version: `${name}-data`, task_kind: "classification", labels: ["A", "B"], base_model: "minilm", strategy: "full", hyperparameters: {}, metrics: {} })).id;
}

async function promotion(parentId: string, round: number): Promise<Promotion> {
  const candidate = { ...candidateOf(round), model_dir: await modelDir(`round-${round}`), hyperparameters: { init_from: "base" } };
  return { runId: "run-1", parent: { ...parentModel(0.8, parentId), dir: join(dir, parentId) }, deployedId: parentId, candidate, candidates: [candidate], scores: scores(0.9), verdict: gateVerdict(true) };
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "pioneer-promotion-"));
  registry = new ModelRegistry(join(dir, "registry"));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

describe("promoteCandidate", () => {
  it("promotes once: repeated after a crash (registered, pointer moved) it finds the same version", async () => {
    const v0 = await registered("v0", null);
    await registry.promote(v0);
    const p = await promotion(v0, 1);
    const first = await promoteCandidate(registry, p);
    const again = await promoteCandidate(registry, p);
    expect(again).toBe(first);
    expect((await registry.list()).map((v) => v.id)).toEqual([v0, first]);
    expect((await registry.pointer()).history.map((h) => h.id)).toEqual([v0, first]);
    expect((await registry.get(first)).parent).toBe(v0);
  });

  it("does not promote again a candidate that was promoted before a crash and rolled back since", async () => {
    const v0 = await registered("v0", null);
    await registry.promote(v0);
    const p = await promotion(v0, 1);
    const first = await promoteCandidate(registry, p);
    await registry.rollback(); // someone rolled it back before the run resumed
    expect(await promoteCandidate(registry, p)).toBe(first);
    expect((await registry.promoted())?.id).toBe(v0);
    expect((await registry.pointer()).history.map((h) => h.action)).toEqual(["promote", "promote", "rollback"]);
  });

  it("records the gated directory's content hash, and refuses the directory once its content changed", async () => {
    const v0 = await registered("v0", null);
    await registry.promote(v0);
    const p = await promotion(v0, 1);
    const id = await promoteCandidate(registry, p);
    expect((await registry.get(id)).content_hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    await writeFile(join(p.candidate.model_dir, "head.safetensors"), "other weights");
    await expect(promoteCandidate(registry, p)).rejects.toThrow(/already registered as version "v0002-[0-9a-f]+".*another content/);
  });

  it("never replaces a version other than the one the candidate was gated against", async () => {
    const v0 = await registered("v0", null);
    await registry.promote(v0);
    const other = await registered("other", v0);
    await registry.promote(other); // promoted by someone else while the run trained
    const err = await promoteCandidate(registry, await promotion(v0, 1)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PromotedVersionChangedError);
    expect((await registry.promoted())?.id).toBe(other);
  });
});
