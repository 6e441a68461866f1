import type { GenerationDataset } from "../data/index.ts";
import { writeFileAtomic } from "../lib/atomic-write.ts";

/** Every n-th question is held out when no held-out file is given. */
export const HOLDOUT_EVERY = 5;

/** The examples of `dataset` whose index passes `keep`, in order, with their file lines. */
export function subset(dataset: GenerationDataset, keep: (index: number) => boolean): GenerationDataset {
  const indices = dataset.examples.map((_, i) => i).filter(keep);
  return { ...dataset, examples: indices.map((i) => dataset.examples[i]!), ...(dataset.lines ? { lines: indices.map((i) => dataset.lines![i]!) } : {}) };
}

/**
 * Every `HOLDOUT_EVERY`-th example of `dataset` held out and written to `path`, the rest kept;
 * `noun`, `purpose` and `flag` say in the note and the error what they are for and which option
 * would have given them.
 */
export async function holdOutEveryNth(dataset: GenerationDataset, path: string, words: { noun: string; purpose: string; flag: string }): Promise<{ kept: GenerationDataset; heldOut: GenerationDataset; note: string }> {
  const held = (i: number) => i % HOLDOUT_EVERY === HOLDOUT_EVERY - 1;
  const heldOut: GenerationDataset = { kind: "generation", path, examples: subset(dataset, held).examples };
  if (heldOut.examples.length === 0) throw new Error(`${dataset.path}: ${dataset.examples.length} ${words.noun} leave none to hold out for ${words.purpose}; give --${words.flag}`);
  await writeFileAtomic(path, heldOut.examples.map((e) => `${JSON.stringify(e)}\n`).join(""));
  return {
    kept: subset(dataset, (i) => !held(i)),
    heldOut,
    note: `${heldOut.examples.length} ${words.noun} held out of ${dataset.path} (every ${HOLDOUT_EVERY}th; no --${words.flag} was given)`,
  };
}
