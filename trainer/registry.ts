import { createHash } from "node:crypto";
import { readdir, readFile, realpath, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { z } from "zod";
import { writeJsonAtomic } from "../lib/atomic-write.ts";
import {
  AlreadyRegisteredError,
  CorruptRegistryFileError,
  DuplicateVersionError,
  InvalidRegistrationError,
  NothingToRollBackError,
  PromotedVersionChangedError,
  UnknownVersionError,
} from "./registry-errors.ts";
import { withFileLock, type LockOptions } from "./registry-lock.ts";
import { ModelManifest, RegisterInput, VERSION_ID, issuePath } from "./registry-manifest.ts";
import { EMPTY_POINTER, PointerFile, rollbackTarget } from "./registry-pointer.ts";

export interface ModelRegistryOptions {
  lock?: LockOptions;
  /** Source of `created_at` and pointer timestamps (tests pin it). */
  clock?: () => Date;
}

/** Trained model versions on disk:
 *
 *     <root>/versions/<id>/manifest.json   one ModelManifest per version
 *     <root>/pointer.json                  { current, history } — the promoted version
 *     <root>/.lock                         held while writing
 *
 * Every write is atomic (temp file + rename) and made under the lock, so readers never see a
 * half-written file and concurrent writers do not lose each other's changes. */
export class ModelRegistry {
  readonly root: string;
  private readonly versionsDir: string;
  private readonly pointerFile: string;
  private readonly lockFile: string;
  private readonly clock: () => Date;
  private readonly lockOptions: LockOptions;

  constructor(root: string, options: ModelRegistryOptions = {}) {
    this.root = resolve(root);
    this.versionsDir = join(this.root, "versions");
    this.pointerFile = join(this.root, "pointer.json");
    this.lockFile = join(this.root, ".lock");
    this.clock = options.clock ?? (() => new Date());
    this.lockOptions = options.lock ?? {};
  }

  /** Records a new version. The id defaults to `v<NNNN>-<8 hex>`: the sequence number, then a
   * hash of model_dir and created_at. A given parent must already be registered.
   *
   * Registering is idempotent: a model directory that a version already names, with the same
   * parent and data version (and id and content hash, when given), returns that version, so a step repeated
   * after a crash does not register it twice. Registered directories are immutable: the same
   * directory as anything else is an {@link AlreadyRegisteredError}. */
  async register(input: RegisterInput): Promise<ModelManifest> {
    const parsed = RegisterInput.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new InvalidRegistrationError(issue ? issuePath(issue.path) : null, issue?.message ?? "invalid input");
    }
    const fields = parsed.data;
    if (fields.learnt_from !== undefined && fields.learnt_from.at(-1) !== fields.data_version) {
      throw new InvalidRegistrationError("learnt_from", "must end with data_version (the data the last training ran on)");
    }
    return this.locked(async () => {
      const ids = await this.ids();
      const created_at = this.clock().toISOString();
      const model_dir = resolve(fields.model_dir);
      const existing = (await this.list()).find((version) => version.model_dir === model_dir);
      if (existing) {
        const differs =
          existing.parent !== fields.parent ? "parent"
          : existing.data_version !== fields.data_version ? "data version"
          : fields.id !== undefined && fields.id !== existing.id ? "id"
          : fields.content_hash !== undefined && existing.content_hash !== undefined && fields.content_hash !== existing.content_hash ? "content (the directory changed after it was registered)"
          : null;
        if (differs) throw new AlreadyRegisteredError(model_dir, existing.id, this.root, differs);
        return existing;
      }
      const id = fields.id ?? defaultVersionId(ids.length + 1, model_dir, created_at);
      if (ids.includes(id)) throw new DuplicateVersionError(id, this.root);
      if (fields.parent !== null && !ids.includes(fields.parent)) {
        throw new UnknownVersionError(fields.parent, ids, this.root, "parent version");
      }
      const manifest = ModelManifest.parse({
        id,
        parent: fields.parent,
        model_dir,
        data_version: fields.data_version,
        ...(fields.learnt_from === undefined ? {} : { learnt_from: fields.learnt_from }),
        ...(fields.content_hash === undefined ? {} : { content_hash: fields.content_hash }),
        task_kind: fields.task_kind,
        labels: fields.labels,
        base_model: fields.base_model,
        strategy: fields.strategy,
        hyperparameters: fields.hyperparameters,
        metrics: fields.metrics,
        created_at,
        ...(fields.notes === undefined ? {} : { notes: fields.notes }),
      });
      await writeJsonAtomic(this.manifestFile(id), manifest);
      return manifest;
    });
  }

  /** The manifest of version `id`; {@link UnknownVersionError} lists the known ids when missing. */
  async get(id: string): Promise<ModelManifest> {
    const manifest = VERSION_ID.test(id) ? await this.readManifest(id) : null;
    if (!manifest) throw new UnknownVersionError(id, await this.ids(), this.root);
    return manifest;
  }

  /** A version by id, or by the model directory it points to (compared as resolved absolute paths,
   * then with symlinks followed). When several versions share a directory, the newest wins. */
  async resolve(idOrDir: string): Promise<ModelManifest> {
    const byId = VERSION_ID.test(idOrDir) ? await this.readManifest(idOrDir) : null;
    if (byId) return byId;
    const versions = await this.list();
    const dir = resolve(idOrDir);
    let matches = versions.filter((version) => version.model_dir === dir);
    if (matches.length === 0) {
      const real = await realpathOrNull(dir);
      if (real !== null) {
        const reals = await Promise.all(versions.map((version) => realpathOrNull(version.model_dir)));
        matches = versions.filter((_, i) => reals[i] === real);
      }
    }
    const newest = matches.at(-1);
    if (!newest) {
      throw new UnknownVersionError(idOrDir, versions.map((v) => v.id), this.root, "version or model directory");
    }
    return newest;
  }

  /** All versions, oldest first (by created_at, then id). */
  async list(): Promise<ModelManifest[]> {
    const ids = await this.ids();
    const manifests = await Promise.all(ids.map((id) => this.readManifest(id)));
    return manifests
      .filter((manifest): manifest is ModelManifest => manifest !== null)
      .sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at) || compare(a.id, b.id));
  }

  /** `[version, parent, grandparent, ...]` back to the first version. */
  async lineage(id: string): Promise<ModelManifest[]> {
    const chain = [await this.get(id)];
    const seen = new Set([id]);
    for (let child = chain[0]; child?.parent != null; child = chain.at(-1)) {
      const parent = child.parent;
      if (seen.has(parent)) {
        throw new CorruptRegistryFileError(this.manifestFile(child.id), "parent", `"${parent}" closes a cycle in the lineage`);
      }
      const manifest = await this.readManifest(parent);
      if (!manifest) {
        throw new CorruptRegistryFileError(this.manifestFile(child.id), "parent", `names "${parent}", which is not in the registry`);
      }
      seen.add(parent);
      chain.push(manifest);
    }
    return chain;
  }

  /** The promoted version, or null when none is. */
  async promoted(): Promise<ModelManifest | null> {
    const { current } = await this.pointer();
    return current === null ? null : this.get(current);
  }

  /** The pointer file: the current version and the history of promotes and rollbacks. */
  async pointer(): Promise<PointerFile> {
    return readJsonFile(this.pointerFile, PointerFile, EMPTY_POINTER);
  }

  /** Makes `id` the promoted version. Promoting the version already current changes nothing. With
   * `ifCurrent`, the pointer moves only from that version (compare-and-set under the lock), else a
   * {@link PromotedVersionChangedError}: a candidate gated against one version never replaces another. */
  async promote(id: string, options: { ifCurrent?: string | null } = {}): Promise<ModelManifest> {
    return this.locked(async () => {
      const manifest = await this.get(id);
      const pointer = await this.pointer();
      if (pointer.current === id) return manifest;
      if (options.ifCurrent !== undefined && pointer.current !== options.ifCurrent) throw new PromotedVersionChangedError(options.ifCurrent, pointer.current, this.root);
      await this.writePointer({
        current: id,
        history: [...pointer.history, { id, at: this.clock().toISOString(), action: "promote" }],
      });
      return manifest;
    });
  }

  /** Undoes the latest promote that is still in effect: after promote A, B, C, a rollback goes to
   * B and the next one to A. Throws {@link NothingToRollBackError} when nothing was promoted before. */
  async rollback(): Promise<ModelManifest> {
    return this.locked(async () => {
      const pointer = await this.pointer();
      const target = rollbackTarget(pointer);
      if (target === null) throw new NothingToRollBackError(pointer.current, this.root);
      const manifest = await this.get(target);
      await this.writePointer({
        current: target,
        history: [...pointer.history, { id: target, at: this.clock().toISOString(), action: "rollback" }],
      });
      return manifest;
    });
  }

  /** Merges `metrics` into the version's metrics (new keys win) and returns the updated manifest. */
  async updateMetrics(id: string, metrics: Record<string, unknown>): Promise<ModelManifest> {
    return this.locked(async () => {
      const current = await this.get(id);
      const updated = ModelManifest.parse({ ...current, metrics: { ...current.metrics, ...metrics } });
      await writeJsonAtomic(this.manifestFile(id), updated);
      return updated;
    });
  }

  private locked<T>(fn: () => Promise<T>): Promise<T> {
    return withFileLock(this.lockFile, fn, this.lockOptions);
  }

  private manifestFile(id: string): string {
    return join(this.versionsDir, id, "manifest.json");
  }

  /** Ids of complete versions: folders with a manifest.json. Anything else (a temp file left by a
   * crash, a folder whose manifest was never renamed into place) is ignored. */
  private async ids(): Promise<string[]> {
    let entries;
    try {
      entries = await readdir(this.versionsDir, { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw err;
    }
    const candidates = entries.filter((e) => e.isDirectory() && VERSION_ID.test(e.name)).map((e) => e.name);
    const complete = await Promise.all(candidates.map((id) => isFile(this.manifestFile(id))));
    return candidates.filter((_, i) => complete[i]).sort(compare);
  }

  /** The manifest, or null when the version does not exist; throws when it exists but is corrupt. */
  private async readManifest(id: string): Promise<ModelManifest | null> {
    const file = this.manifestFile(id);
    const manifest = await readJsonFile(file, ModelManifest, null);
    if (manifest && manifest.id !== id) {
      throw new CorruptRegistryFileError(file, "id", `is "${manifest.id}" but the version folder is "${id}"`);
    }
    return manifest;
  }

  private async writePointer(pointer: PointerFile): Promise<void> {
    await writeJsonAtomic(this.pointerFile, PointerFile.parse(pointer));
  }
}

/** `v0007-1a2b3c4d`: sequence number, then the first 8 hex of sha256(model_dir + created_at). */
export function defaultVersionId(sequence: number, modelDir: string, createdAt: string): string {
  const hash = createHash("sha256").update(modelDir + createdAt).digest("hex").slice(0, 8);
  return `v${String(sequence).padStart(4, "0")}-${hash}`;
}

/** Reads and validates a JSON file; `missing` when it does not exist. */
async function readJsonFile<S extends z.ZodType, M>(file: string, schema: S, missing: M): Promise<z.infer<S> | M> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return missing;
    throw err;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new CorruptRegistryFileError(file, null, `not valid JSON (${(err as Error).message})`, { cause: err });
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CorruptRegistryFileError(file, issue ? issuePath(issue.path) : null, issue?.message ?? "does not match its schema", {
      cause: parsed.error,
    });
  }
  return parsed.data;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

async function realpathOrNull(path: string): Promise<string | null> {
  try {
    return await realpath(path);
  } catch {
    return null;
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
