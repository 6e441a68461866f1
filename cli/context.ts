import { resolve } from "node:path";
import { ModelRegistry } from "../trainer/registry.ts";
import type { ModelManifest } from "../trainer/registry-manifest.ts";
import { UsageError } from "./usage-error.ts";

/** Where the model registry lives: --registry, $PIONEER_REGISTRY, else ./.pioneer/registry. */
export function openRegistry(flag: string | undefined): ModelRegistry {
  return new ModelRegistry(resolve(flag ?? process.env.PIONEER_REGISTRY ?? ".pioneer/registry"));
}

/** A model reference on the command line: a registry version id or a model directory. */
export async function resolveModelDir(ref: string, registryFlag: string | undefined): Promise<{ dir: string; id: string | null }> {
  const registry = openRegistry(registryFlag);
  try {
    const manifest = await registry.resolve(ref);
    return { dir: manifest.model_dir, id: manifest.id };
  } catch {
    return { dir: resolve(ref), id: null };
  }
}

export function parseNumber(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new UsageError(`--${flag} expects a number, got "${value}"`);
  return n;
}

/** After `train` registered a version: promote it when asked, then print it (its manifest as JSON,
 * or where it went and how to evaluate it). */
export async function announceRegistered(registry: ModelRegistry, manifest: ModelManifest, modelDir: string, options: { promote: boolean; json: boolean }): Promise<void> {
  if (options.promote) await registry.promote(manifest.id);
  if (options.json) {
    console.log(JSON.stringify(manifest));
    return;
  }
  console.log(`model ${manifest.id} written to ${modelDir}${options.promote ? " (promoted)" : ""}`);
  console.log(`registered in ${registry.root}; evaluate it with: pioneer eval --model ${manifest.id} --data TEST.jsonl`);
}
