import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Example, readExamples, writeExamplesJsonl } from "../data/index.ts";
import { datasetPath } from "../data/shared-datasets.ts";

/** A small, label-balanced slice of a shared data set written to a temp folder: the first `perLabel`
 * examples of the first `labels` labels (classification), or the first `n` sentences (token). */
export async function bankingSlice(labels = 4, perLabel = 12): Promise<{ dir: string; train: string; test: string; examples: Example[] }> {
  const dir = await mkdtemp(join(tmpdir(), "pioneer-test-"));
  const all = (await readExamples(datasetPath("banking77", "train_nodev"))).examples as { label: string }[] as Example[];
  const keep = [...new Set(all.map((e) => (e as { label: string }).label))].sort().slice(0, labels);
  const byLabel = keep.flatMap((l) => all.filter((e) => (e as { label: string }).label === l));
  const train = keep.flatMap((l) => byLabel.filter((e) => (e as { label: string }).label === l).slice(0, perLabel));
  const test = keep.flatMap((l) => byLabel.filter((e) => (e as { label: string }).label === l).slice(perLabel, perLabel + 4));
  await writeExamplesJsonl(join(dir, "train.jsonl"), train);
  await writeExamplesJsonl(join(dir, "test.jsonl"), test);
  return { dir, train: join(dir, "train.jsonl"), test: join(dir, "test.jsonl"), examples: train };
}

export async function wnutSlice(n = 40): Promise<{ dir: string; train: string }> {
  const dir = await mkdtemp(join(tmpdir(), "pioneer-test-"));
  const all = (await readExamples(datasetPath("wnut17", "train"))).examples;
  const withEntities = all.filter((e) => "tags" in e && e.tags.some((t) => t !== "O")).slice(0, n);
  await writeExamplesJsonl(join(dir, "train.jsonl"), withEntities);
  return { dir, train: join(dir, "train.jsonl") };
}
