import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { z } from "zod";

/** The worker's pioneer.json: what a trained model directory is (see pioneer_worker/model.py). */
export const ModelDirManifest = z.object({
  kind: z.enum(["classification", "token", "generation"]),
  /** Labels or tags; a generation model has none. */
  labels: z.array(z.string()),
  base_model: z.string(),
  strategy: z.enum(["head", "lora", "full"]),
  oos_label: z.string().nullable().optional(),
  confidence_threshold: z.number().optional(),
  /** In-scope answers less confident than this become oos_label (tuned by the maintenance loop). */
  oos_threshold: z.number().min(0).max(1).optional(),
  /** Generation models: how an output's answer is read (evals/answers.ts). */
  answer_extractor: z.enum(["number", "exact"]).optional(),
  config: z.record(z.string(), z.unknown()),
  metrics: z.record(z.string(), z.unknown()).default({}),
});
export type ModelDirManifest = z.infer<typeof ModelDirManifest>;

/** The example kind of a classification or token model; `doing` names what refuses a generation
 * model (maintenance and the evaluate graph work on the first two kinds). */
export function exampleKindOf(model: ModelDirManifest, doing: string): "classification" | "token" {
  if (model.kind === "generation") throw new Error(`${doing} works on classification and token models; this is a generation model (evaluate it with \`pioneer eval\`)`);
  return model.kind;
}

export async function readModelDir(dir: string): Promise<ModelDirManifest> {
  const path = join(dir, "pioneer.json");
  let raw: string;
  try {
    raw = await readFile(path, "utf8");
  } catch {
    throw new Error(`${dir} is not a trained Pioneer model (no pioneer.json); train one with \`pioneer train\``);
  }
  const parsed = ModelDirManifest.safeParse(JSON.parse(raw));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${path}: field "${issue?.path.join(".")}": ${issue?.message}`);
  }
  return parsed.data;
}

/** sha256 of a model directory's content: every file's path (relative, sorted) and bytes. The
 * registry records it, so a directory that changed after it was gated and registered is caught. */
export async function modelDirHash(dir: string): Promise<string> {
  const files = (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
  const hash = createHash("sha256");
  for (const file of files) {
    const bytes = await readFile(join(dir, file));
    hash.update(`${file}\0${bytes.length}\0`).update(bytes);
  }
  return `sha256:${hash.digest("hex")}`;
}
