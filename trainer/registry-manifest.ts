import { isAbsolute } from "node:path";
import { z } from "zod";
import { ModelKind } from "../data/example.ts";

/** Version ids name folders, so they are kept to a safe alphabet: no slashes, no leading dot. */
export const VERSION_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export const VersionId = z.string().regex(VERSION_ID, {
  error: "expected a version id: 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit",
});

export const TrainingStrategy = z.enum(["head", "lora", "full"]);
export type TrainingStrategy = z.infer<typeof TrainingStrategy>;

/** What the registry knows about one trained model version (`versions/<id>/manifest.json`). */
export const ModelManifest = z.object({
  id: VersionId,
  /** The version this one was trained from, or null for a first version. */
  parent: VersionId.nullable(),
  /** Absolute path of the model directory, wherever the user trained it. */
  model_dir: z.string().refine((dir) => isAbsolute(dir), { error: "expected an absolute path" }),
  /** `dataVersionHash` of the training examples. */
  data_version: z.string().min(1),
  /** Every data version the weights were trained on, oldest first, ending with `data_version`: a warm
   * start learnt its parent's data first, and its own version may be only a replay share of the pool
   * plus new examples. Absent for a model trained once: `[data_version]`. */
  learnt_from: z.array(z.string().min(1)).optional(),
  /** `modelDirHash` of the directory when it was registered (absent for older versions). */
  content_hash: z.string().min(1).optional(),
  task_kind: ModelKind,
  labels: z.array(z.string()),
  base_model: z.string().min(1),
  strategy: TrainingStrategy,
  hyperparameters: z.record(z.string(), z.unknown()),
  metrics: z.record(z.string(), z.unknown()),
  created_at: z.iso.datetime({ offset: true }),
  notes: z.string().optional(),
});
export type ModelManifest = z.infer<typeof ModelManifest>;

/** The data versions a model's weights were trained on, oldest first. */
export function learntFrom(manifest: Pick<ModelManifest, "data_version" | "learnt_from">): string[] {
  return manifest.learnt_from ?? [manifest.data_version];
}

/** What `register` takes: a manifest without `created_at`, with an optional id and a model_dir
 * that may be relative (it is stored resolved). */
export const RegisterInput = ModelManifest.omit({ id: true, created_at: true }).extend({
  id: VersionId.optional(),
  model_dir: z.string().min(1),
});
export type RegisterInput = z.infer<typeof RegisterInput>;

/** Renders a zod issue path as `labels.2`, or null for the root. */
export function issuePath(path: readonly PropertyKey[]): string | null {
  return path.length === 0 ? null : path.map(String).join(".");
}
