import { readFile } from "node:fs/promises";
import type { GenerationExample } from "../../data/index.ts";
import { datasetPath } from "../../data/shared-datasets.ts";
import type { AnswerExtractor } from "../../evals/answers.ts";
import { arithmeticProblems } from "./arithmetic.ts";

/** A generation task of the chain-of-thought benchmark: its answer extractor and how its training
 * and test slices are read (or generated). */
export interface CotTask {
  name: string;
  extractor: AnswerExtractor;
  load: (train: number, test: number) => Promise<{ train: GenerationExample[]; test: GenerationExample[] }>;
}

export const COT_TASKS: readonly CotTask[] = [
  { name: "arithmetic", extractor: "number", load: async (train, test) => ({ train: arithmeticProblems(train, 1), test: arithmeticProblems(test, 2) }) },
  {
    name: "gsm8k",
    extractor: "number",
    load: async (train, test) => {
      const read = async (split: string) => (await readFile(datasetPath("gsm8k", split), "utf8")).trim().split("\n").map((l, i) => {
        const r = JSON.parse(l) as { question: string; answer: string; rationale_clean: string };
        return { id: `${split}-${i}`, text: r.question, target: r.answer, rationale: r.rationale_clean };
      });
      return { train: (await read("train")).slice(0, train), test: (await read("test")).slice(0, test) };
    },
  },
];
