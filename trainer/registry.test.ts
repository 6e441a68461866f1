import { mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { execa } from "execa";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../lib/repo-root.ts";
import { ModelRegistry, defaultVersionId } from "./registry.ts";
import {
  AlreadyRegisteredError,
  CorruptRegistryFileError,
  DuplicateVersionError,
  InvalidRegistrationError,
  NothingToRollBackError,
  PromotedVersionChangedError,
  UnknownVersionError,
} from "./registry-errors.ts";
import { ModelManifest, type RegisterInput, learntFrom } from "./registry-manifest.ts";
import { PointerFile, rollbackTarget } from "./registry-pointer.ts";

let dir: string;
let root: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "pioneer-registry-"));
  root = join(dir, ".pioneer", "registry");
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function input(overrides: Partial<RegisterInput> = {}): RegisterInput {
  return {
    parent: null,
    model_dir: join(dir, "models", overrides.id ?? "m"),
    data_version: "a".repeat(64),
    task_kind: "classification",
    labels: ["greeting", "farewell"],
    base_model: "distilbert-base-uncased",
    strategy: "head",
    hyperparameters: { lr: 5e-5, epochs: 3 },
    metrics: { accuracy: 0.91 },
    ...overrides,
  };
}

/** A clock that ticks one second per call, so ordering by created_at is deterministic. */
function tickingClock(start = Date.parse("2025-03-01T12:00:00.000Z")): () => Date {
  let t = start;
  return () => new Date((t += 1000));
}

async function registerChain(registry: ModelRegistry, ...ids: string[]): Promise<void> {
  let parent: string | null = null;
  for (const id of ids) {
    await registry.register(input({ id, parent }));
    parent = id;
  }
}

describe("register, get, list", () => {
  it("registers with a generated id and reads it back", async () => {
    const registry = new ModelRegistry(root, { clock: tickingClock() });
    const first = await registry.register(input({ notes: "first try" }));
    expect(first.id).toMatch(/^v0001-[0-9a-f]{8}$/);
    expect(first.id).toBe(defaultVersionId(1, first.model_dir, first.created_at));
    expect(first).toMatchObject({ parent: null, strategy: "head", notes: "first try", metrics: { accuracy: 0.91 } });
    expect(ModelManifest.parse(first)).toEqual(first);
    const second = await registry.register(input({ parent: first.id, model_dir: join(dir, "models", "m2") }));
    expect(second.id).toMatch(/^v0002-[0-9a-f]{8}$/);

    expect(await registry.get(first.id)).toEqual(first);
    expect(await registry.list()).toEqual([first, second]);
    const onDisk = JSON.parse(await readFile(join(root, "versions", first.id, "manifest.json"), "utf8"));
    expect(onDisk).toEqual(first);
  });

  it("records the data versions a warm start learnt; a model trained once learnt its own", async () => {
    const registry = new ModelRegistry(root, { clock: tickingClock() });
    const first = await registry.register(input({ id: "v1" }));
    const warm = await registry.register(input({ id: "v2", parent: "v1", data_version: "b".repeat(64), learnt_from: ["a".repeat(64), "b".repeat(64)] }));
    expect(learntFrom(first)).toEqual(["a".repeat(64)]);
    expect(learntFrom(await registry.get(warm.id))).toEqual(["a".repeat(64), "b".repeat(64)]);
    await expect(registry.register(input({ id: "v3", data_version: "c".repeat(64), learnt_from: ["a".repeat(64)] }))).rejects.toThrow(/learnt_from.*must end with data_version/);
  });

  it("lists by created_at, then id", async () => {
    const times = ["2025-01-02T00:00:00.000Z", "2025-01-01T00:00:00.000Z", "2025-01-01T00:00:00.000Z"];
    const registry = new ModelRegistry(root, { clock: () => new Date(times.shift() ?? 0) });
    await registry.register(input({ id: "late" }));
    await registry.register(input({ id: "b-early" }));
    await registry.register(input({ id: "a-early" }));
    expect((await registry.list()).map((v) => v.id)).toEqual(["a-early", "b-early", "late"]);
  });

  it("is empty before anything is registered", async () => {
    const registry = new ModelRegistry(root);
    expect(await registry.list()).toEqual([]);
    expect(await registry.promoted()).toBeNull();
  });

  it("refuses a duplicate id", async () => {
    const registry = new ModelRegistry(root);
    await registry.register(input({ id: "v1" }));
    const err = await registry.register(input({ id: "v1", model_dir: join(dir, "models", "other") })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DuplicateVersionError);
    expect(err).toMatchObject({ id: "v1", root });
    expect((err as Error).message).toContain('"v1" already exists');
  });

  it("refuses an unknown parent and invalid input", async () => {
    const registry = new ModelRegistry(root);
    await registry.register(input({ id: "v1" }));
    const parent = await registry.register(input({ parent: "ghost" })).catch((e: unknown) => e);
    expect(parent).toBeInstanceOf(UnknownVersionError);
    expect(parent).toMatchObject({ ref: "ghost", known: ["v1"] });
    expect((parent as Error).message).toContain('parent version "ghost"');

    const strategy = await registry.register(input({ strategy: "bogus" as "head" })).catch((e: unknown) => e);
    expect(strategy).toBeInstanceOf(InvalidRegistrationError);
    expect(strategy).toMatchObject({ path: "strategy" });
    const traversal = await registry.register(input({ id: "../escape" })).catch((e: unknown) => e);
    expect(traversal).toMatchObject({ name: "InvalidRegistrationError", path: "id" });
    expect(await readdir(join(root, "versions"))).toEqual(["v1"]);
  });

  it("get of a missing version lists the known ids", async () => {
    const registry = new ModelRegistry(root);
    await registerChain(registry, "alpha", "beta");
    const err = await registry.get("gamma").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnknownVersionError);
    expect(err).toMatchObject({ ref: "gamma", known: ["alpha", "beta"] });
    expect((err as Error).message).toContain("alpha, beta");
    await expect(registry.get("../../etc")).rejects.toBeInstanceOf(UnknownVersionError);
  });
});

describe("resolve", () => {
  it("finds a version by id or by its model directory", async () => {
    const registry = new ModelRegistry(root);
    const v1 = await registry.register(input({ id: "v1", model_dir: join(dir, "runs", "one") }));
    const v2 = await registry.register(input({ id: "v2", model_dir: join(dir, "runs", "two") }));
    expect(await registry.resolve("v1")).toEqual(v1);
    expect(await registry.resolve(join(dir, "runs", "two"))).toEqual(v2);
    expect(await registry.resolve(`${join(dir, "runs", "two")}/`)).toEqual(v2);
    expect(await registry.resolve(join(dir, "runs", "x", "..", "one"))).toEqual(v1);
    expect(await registry.resolve(relative(process.cwd(), join(dir, "runs", "one")))).toEqual(v1);
  });

  it("stores a relative model_dir as an absolute path", async () => {
    const registry = new ModelRegistry(root);
    const rel = relative(process.cwd(), join(dir, "rel-model"));
    const v = await registry.register(input({ id: "rel", model_dir: rel }));
    expect(v.model_dir).toBe(join(dir, "rel-model"));
  });

  it("follows symlinks", async () => {
    const registry = new ModelRegistry(root);
    const real = join(dir, "runs", "real");
    await mkdir(real, { recursive: true });
    await symlink(real, join(dir, "latest"));
    const v = await registry.register(input({ id: "v1", model_dir: real }));
    expect(await registry.resolve(join(dir, "latest"))).toEqual(v);
  });

  it("registers a directory once: the same registration again returns the version, anything else is refused", async () => {
    const registry = new ModelRegistry(root, { clock: tickingClock() });
    const same = join(dir, "runs", "same");
    const first = await registry.register(input({ model_dir: same }));
    expect(await registry.register(input({ model_dir: same }))).toEqual(first);
    expect(await registry.register(input({ id: first.id, model_dir: same }))).toEqual(first);
    expect((await registry.list()).map((v) => v.id)).toEqual([first.id]);
    for (const [over, differs] of [[{ id: "other" }, "id"], [{ data_version: "b".repeat(64) }, "data version"]] as const) {
      const err = await registry.register(input({ model_dir: same, ...over })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AlreadyRegisteredError);
      expect((err as Error).message).toMatch(new RegExp(`already registered as version "${first.id}" .* with another ${differs}; a registered model directory is never rewritten`));
    }
    const child = await registry.register(input({ model_dir: join(dir, "runs", "child"), parent: first.id }));
    await expect(registry.register(input({ model_dir: join(dir, "runs", "child") }))).rejects.toThrow(/with another parent/);
    expect((await registry.resolve(same)).id).toBe(first.id);
    expect(child.parent).toBe(first.id);
  });

  it("throws for an unknown id or directory", async () => {
    const registry = new ModelRegistry(root);
    await registry.register(input({ id: "v1" }));
    const err = await registry.resolve(join(dir, "nowhere")).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnknownVersionError);
    expect((err as Error).message).toContain("version or model directory");
    expect((err as Error).message).toContain("v1");
  });
});

describe("lineage", () => {
  it("walks from a version back to its first ancestor", async () => {
    const registry = new ModelRegistry(root, { clock: tickingClock() });
    await registerChain(registry, "base", "ft1", "ft2", "ft3");
    await registry.register(input({ id: "branch", parent: "ft1" }));
    expect((await registry.lineage("ft3")).map((v) => v.id)).toEqual(["ft3", "ft2", "ft1", "base"]);
    expect((await registry.lineage("branch")).map((v) => v.id)).toEqual(["branch", "ft1", "base"]);
    expect((await registry.lineage("base")).map((v) => v.id)).toEqual(["base"]);
    await expect(registry.lineage("nope")).rejects.toBeInstanceOf(UnknownVersionError);
  });

  it("reports a parent that has disappeared", async () => {
    const registry = new ModelRegistry(root);
    await registerChain(registry, "a", "b");
    await rm(join(root, "versions", "a"), { recursive: true });
    const err = await registry.lineage("b").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CorruptRegistryFileError);
    expect(err).toMatchObject({ file: join(root, "versions", "b", "manifest.json"), path: "parent" });
  });
});

describe("promote and rollback", () => {
  it("promote A, B, C, then rollback -> B, rollback -> A, rollback -> error", async () => {
    const registry = new ModelRegistry(root, { clock: tickingClock() });
    await registerChain(registry, "A", "B", "C");
    for (const id of ["A", "B", "C"]) await registry.promote(id);
    expect((await registry.promoted())?.id).toBe("C");

    expect((await registry.rollback()).id).toBe("B");
    expect((await registry.promoted())?.id).toBe("B");
    expect((await registry.rollback()).id).toBe("A");
    expect((await registry.promoted())?.id).toBe("A");

    const err = await registry.rollback().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NothingToRollBackError);
    expect(err).toMatchObject({ current: "A" });
    expect((err as Error).message).toContain('no version was promoted before "A"');
    expect((await registry.promoted())?.id).toBe("A");

    const pointer = await registry.pointer();
    expect(pointer.current).toBe("A");
    expect(pointer.history.map((e) => `${e.action}:${e.id}`)).toEqual([
      "promote:A",
      "promote:B",
      "promote:C",
      "rollback:B",
      "rollback:A",
    ]);
  });

  it("rolls back past rolled-back promotes: A, B, rollback, C, rollback -> A", async () => {
    const registry = new ModelRegistry(root);
    await registerChain(registry, "A", "B", "C");
    await registry.promote("A");
    await registry.promote("B");
    await registry.rollback();
    await registry.promote("C");
    expect((await registry.rollback()).id).toBe("A");
    await expect(registry.rollback()).rejects.toBeInstanceOf(NothingToRollBackError);
  });

  it("rollback with nothing promoted, or with a single promote, is a clear error", async () => {
    const registry = new ModelRegistry(root);
    await registerChain(registry, "A");
    const none = await registry.rollback().catch((e: unknown) => e);
    expect(none).toBeInstanceOf(NothingToRollBackError);
    expect(none).toMatchObject({ current: null });
    expect((none as Error).message).toContain("no version has been promoted");
    await registry.promote("A");
    await expect(registry.rollback()).rejects.toBeInstanceOf(NothingToRollBackError);
  });

  it("promotes only from the expected version, and is idempotent once promoted", async () => {
    const registry = new ModelRegistry(root, { clock: tickingClock() });
    const a = await registry.register(input({ id: "a" }));
    const b = await registry.register(input({ id: "b", parent: "a" }));
    const c = await registry.register(input({ id: "c", parent: "a" }));
    await registry.promote(a.id);
    await registry.promote(c.id); // someone else promoted c meanwhile
    const err = await registry.promote(b.id, { ifCurrent: a.id }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PromotedVersionChangedError);
    expect(err).toMatchObject({ expected: "a", current: "c" });
    expect((await registry.promoted())?.id).toBe("c");
    // A promotion repeated after a crash (the pointer already moved) changes nothing and succeeds.
    await registry.promote(c.id, { ifCurrent: a.id });
    expect((await registry.pointer()).history.filter((h) => h.id === "c")).toHaveLength(1);
  });

  it("promoting the current version again changes nothing", async () => {
    const registry = new ModelRegistry(root);
    await registerChain(registry, "A", "B");
    await registry.promote("A");
    await registry.promote("B");
    await registry.promote("B");
    expect((await registry.pointer()).history).toHaveLength(2);
    expect((await registry.rollback()).id).toBe("A");
  });

  it("refuses to promote an unknown version and leaves the pointer alone", async () => {
    const registry = new ModelRegistry(root);
    await registerChain(registry, "A");
    await registry.promote("A");
    await expect(registry.promote("Z")).rejects.toBeInstanceOf(UnknownVersionError);
    expect((await registry.pointer()).current).toBe("A");
  });

  it("promoted() survives a new ModelRegistry on the same root", async () => {
    const first = new ModelRegistry(root);
    await registerChain(first, "A", "B");
    await first.promote("A");
    await first.promote("B");
    const second = new ModelRegistry(root);
    expect((await second.promoted())?.id).toBe("B");
    expect((await second.rollback()).id).toBe("A");
    expect((await new ModelRegistry(root).promoted())?.id).toBe("A");
  });
});

describe("updateMetrics", () => {
  it("merges new metrics into the stored ones", async () => {
    const registry = new ModelRegistry(root);
    await registry.register(input({ id: "v1", metrics: { accuracy: 0.9, f1: 0.8 } }));
    const updated = await registry.updateMetrics("v1", { f1: 0.85, oos_recall: 0.7 });
    expect(updated.metrics).toEqual({ accuracy: 0.9, f1: 0.85, oos_recall: 0.7 });
    expect((await new ModelRegistry(root).get("v1")).metrics).toEqual(updated.metrics);
    await expect(registry.updateMetrics("nope", {})).rejects.toBeInstanceOf(UnknownVersionError);
  });
});

describe("crash safety and corrupt files", () => {
  it("ignores temp files and half-registered versions left by a crash", async () => {
    const registry = new ModelRegistry(root);
    await registerChain(registry, "A", "B");
    await registry.promote("A");
    // A crash between writing a temp file and renaming it into place leaves these behind:
    await writeFile(join(root, "pointer.json.4242.deadbeef.tmp"), '{"current": "B", "hist');
    await writeFile(join(root, "versions", "A", "manifest.json.4242.cafebabe.tmp"), "{");
    await writeFile(join(root, "versions", "stray.tmp"), "");
    await mkdir(join(root, "versions", "C"));
    await writeFile(join(root, "versions", "C", "manifest.json.4242.0badf00d.tmp"), '{"id": "C"');

    const fresh = new ModelRegistry(root);
    expect((await fresh.list()).map((v) => v.id)).toEqual(["A", "B"]);
    expect((await fresh.promoted())?.id).toBe("A");
    await expect(fresh.get("C")).rejects.toBeInstanceOf(UnknownVersionError);
    // ...and the next registration counts only complete versions and can reuse the half-made id.
    expect((await fresh.register(input())).id).toMatch(/^v0003-/);
    await fresh.register(input({ id: "C", parent: "B" }));
    expect((await fresh.lineage("C")).map((v) => v.id)).toEqual(["C", "B", "A"]);
  });

  it("a corrupt manifest names the file and the zod issue path", async () => {
    const registry = new ModelRegistry(root);
    await registerChain(registry, "A");
    const file = join(root, "versions", "A", "manifest.json");
    const manifest = JSON.parse(await readFile(file, "utf8"));
    await writeFile(file, JSON.stringify({ ...manifest, labels: ["ok", 7] }));
    for (const read of [() => registry.get("A"), () => registry.list(), () => registry.resolve("A")]) {
      const err = await read().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CorruptRegistryFileError);
      expect(err).toMatchObject({ file, path: "labels.1" });
      expect((err as Error).message).toContain(file);
      expect((err as Error).message).toContain('field "labels.1"');
    }
    await writeFile(file, JSON.stringify({ ...manifest, strategy: "everything" }));
    await expect(registry.get("A")).rejects.toMatchObject({ path: "strategy" });
    await writeFile(file, JSON.stringify({ ...manifest, id: "B" }));
    await expect(registry.get("A")).rejects.toMatchObject({ path: "id" });
    await writeFile(file, '{"id": "A", ');
    const json = await registry.get("A").catch((e: unknown) => e);
    expect(json).toMatchObject({ name: "CorruptRegistryFileError", file, path: null });
    expect((json as Error).message).toContain("not valid JSON");
  });

  it("a corrupt pointer.json names the file and the path", async () => {
    const registry = new ModelRegistry(root);
    await registerChain(registry, "A");
    await registry.promote("A");
    const file = join(root, "pointer.json");
    await writeFile(file, JSON.stringify({ current: "A", history: [{ id: "A", at: "yesterday", action: "promote" }] }));
    const err = await registry.promoted().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CorruptRegistryFileError);
    expect(err).toMatchObject({ file, path: "history.0.at" });
  });
});

describe("concurrent writers", () => {
  it("concurrent promotes from several instances leave a valid pointer.json", async () => {
    const ids = ["A", "B", "C", "D", "E", "F"];
    await registerChain(new ModelRegistry(root), ...ids);
    const registries = ids.map(() => new ModelRegistry(root));
    await Promise.all(ids.map((id, i) => registries[i]!.promote(id)));

    const pointer = PointerFile.parse(JSON.parse(await readFile(join(root, "pointer.json"), "utf8")));
    expect(pointer.history).toHaveLength(ids.length);
    expect(new Set(pointer.history.map((e) => e.id))).toEqual(new Set(ids));
    expect(pointer.current).toBe(pointer.history.at(-1)?.id);
    expect((await readdir(root)).sort()).toEqual(["pointer.json", "versions"]); // no lock or temp file left
  });

  it("four processes promoting and rolling back at once leave a pointer whose history replays to it", async () => {
    const ids = ["A", "B", "C"];
    await registerChain(new ModelRegistry(root), ...ids);
    await new ModelRegistry(root).promote("A");
    const churn = join(REPO_ROOT, "test-support", "registry-churn.ts");
    const runs = await Promise.all([1, 2, 3, 4].map((seed) => execa("node", ["--import", "tsx", churn, root, "30", String(seed), ...ids], { cwd: REPO_ROOT })));
    const counts = runs.map((r) => JSON.parse(r.stdout) as { promotes: number; rollbacks: number; refused: number });
    const pointer = PointerFile.parse(JSON.parse(await readFile(join(root, "pointer.json"), "utf8")));
    // Every promote appends an entry unless its version was already current; every rollback appends one.
    const rollbacks = counts.reduce((n, c) => n + c.rollbacks, 0);
    expect(pointer.history.filter((e) => e.action === "rollback")).toHaveLength(rollbacks);
    expect(pointer.history.filter((e) => e.action === "promote").length).toBeLessThanOrEqual(1 + counts.reduce((n, c) => n + c.promotes, 0));
    expect(counts.reduce((n, c) => n + c.promotes + c.rollbacks + c.refused, 0)).toBe(120);
    expect(pointer.current).toBe(pointer.history.at(-1)?.id);
    // Replayed entry by entry, the history is one writer's at a time: a promote never repeats the
    // current version, and each rollback went where the history before it said it would.
    for (const [i, entry] of pointer.history.entries()) {
      const before = pointer.history.slice(0, i);
      if (entry.action === "promote") expect(entry.id).not.toBe(before.at(-1)?.id);
      else expect(entry.id).toBe(rollbackTarget({ current: before.at(-1)?.id ?? null, history: before }));
    }
    expect((await new ModelRegistry(root).list()).map((m) => m.id)).toEqual(ids);
    expect((await readdir(root)).sort()).toEqual(["pointer.json", "versions"]);
  }, 120_000);

  it("concurrent registrations get distinct sequence numbers", async () => {
    const registries = Array.from({ length: 8 }, () => new ModelRegistry(root));
    const made = await Promise.all(registries.map((r, i) => r.register(input({ model_dir: join(dir, "models", `m${i}`) }))));
    const sequences = made.map((m) => m.id.slice(0, 5)).sort();
    expect(sequences).toEqual(["v0001", "v0002", "v0003", "v0004", "v0005", "v0006", "v0007", "v0008"]);
    expect(await new ModelRegistry(root).list()).toHaveLength(8);
  });

  it("concurrent metric updates are all kept", async () => {
    const registry = new ModelRegistry(root);
    await registry.register(input({ id: "v1", metrics: {} }));
    await Promise.all(Array.from({ length: 10 }, (_, i) => new ModelRegistry(root).updateMetrics("v1", { [`m${i}`]: i })));
    expect(Object.keys((await registry.get("v1")).metrics)).toHaveLength(10);
  });
});
