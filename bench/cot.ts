/**
 * Chain-of-thought benchmark: does a small decoder student learn a task better from the answer alone
 * or from a worked rationale then the answer? Each cell fine-tunes the packaged student (LoRA) on a
 * fixed training slice with one target strategy and scores exact match on held-out problems, with a
 * bootstrap interval, wall time and the throughput of training and generation.
 *
 *   npm run bench:cot -- [--tasks arithmetic,gsm8k] [--strategies answer,rationale] [--seeds 0,1,2]
 *                        [--train 300] [--test 200] [--epochs 2] [--threads 2] [--out cot]
 *
 * Tasks: `arithmetic` (bench/cot/arithmetic.ts: seeded three-step word problems, generated here) and
 * `gsm8k` (the shared data set: its `rationale_clean` as the rationale, the first `--train` problems
 * of its training split, the first `--test` of its test split). Writes bench/results/<out>.{json,md}.
 * Self-rationales (the student's own correct samples) are not a strategy here yet.
 */
import { mkdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { GenerationDataset, GenerationExample } from "../data/index.ts";
import { datasetPath } from "../data/shared-datasets.ts";
import type { AnswerExtractor } from "../evals/answers.ts";
import { type TargetStrategy, trainingRows } from "../generation/targets.ts";
import { writeFileAtomic, writeJsonAtomic } from "../lib/atomic-write.ts";
import { REPO_ROOT } from "../lib/repo-root.ts";
import { evaluateModel } from "../trainer/evaluate-model.ts";
import { trainModel } from "../trainer/launcher.ts";
import { arithmeticProblems } from "./cot/arithmetic.ts";

const { values } = parseArgs({
  options: {
    tasks: { type: "string", default: "arithmetic,gsm8k" }, strategies: { type: "string", default: "answer,rationale" },
    seeds: { type: "string", default: "0,1,2" }, train: { type: "string", default: "300" }, test: { type: "string", default: "200" },
    epochs: { type: "string", default: "2" }, threads: { type: "string", default: "2" }, out: { type: "string", default: "cot" },
  },
});

interface Task {
  name: string;
  extractor: AnswerExtractor;
  load: (train: number, test: number) => Promise<{ train: GenerationExample[]; test: GenerationExample[] }>;
}

const TASKS: Task[] = [
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

interface Cell {
  task: string;
  strategy: TargetStrategy;
  seed: number;
  train_examples: number;
  rejected: number;
  exact_match: number;
  ci: [number, number];
  answered: number;
  train_s: number;
  train_tokens_per_s: number;
  generated_tokens_per_s: number;
  eval_s: number;
}

const pct = (x: number) => (x * 100).toFixed(1);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

async function main(): Promise<void> {
  const work = join(tmpdir(), `pioneer-bench-cot-${process.pid}`);
  await mkdir(work, { recursive: true });
  const cells: Cell[] = [];
  const threads = Number(values.threads);
  try {
    for (const task of TASKS.filter((t) => values.tasks.split(",").includes(t.name))) {
      const data = await task.load(Number(values.train), Number(values.test));
      const trainSet: GenerationDataset = { kind: "generation", path: `${task.name}/train`, examples: data.train };
      const testSet: GenerationDataset = { kind: "generation", path: `${task.name}/test`, examples: data.test };
      for (const strategy of values.strategies.split(",") as TargetStrategy[]) {
        const { rows, rejected } = trainingRows(trainSet, strategy, task.extractor);
        for (const seed of values.seeds.split(",").map(Number)) {
          const dir = join(work, `${task.name}-${strategy}-${seed}`);
          await mkdir(dir, { recursive: true });
          const trainPath = join(dir, "train.jsonl");
          await writeFileAtomic(trainPath, rows.map((r) => `${JSON.stringify(r)}\n`).join(""));
          const started = performance.now();
          const model = await trainModel({ kind: "generation", train_path: trainPath, out_dir: join(dir, "model"), epochs: Number(values.epochs), seed, batch_size: 8, max_new_tokens: strategy === "answer" ? 16 : 160, answer_extractor: task.extractor, threads });
          const trainS = (performance.now() - started) / 1000;
          const evalStarted = performance.now();
          const scored = await evaluateModel(model.modelDir, testSet, dir, {});
          const cell: Cell = {
            task: task.name, strategy, seed, train_examples: rows.length, rejected: rejected.length,
            exact_match: scored.metrics.exact_match, ci: scored.metrics.exact_match_ci, answered: scored.metrics.answered,
            train_s: Number(trainS.toFixed(1)), train_tokens_per_s: Number(model.metrics.train_tokens_per_s ?? 0),
            generated_tokens_per_s: scored.generated_tokens_per_s, eval_s: Number(((performance.now() - evalStarted) / 1000).toFixed(1)),
          };
          cells.push(cell);
          console.error(`${task.name} ${strategy} seed ${seed}: exact match ${pct(cell.exact_match)}% [${pct(cell.ci[0])}, ${pct(cell.ci[1])}] (${rows.length} trained, ${rejected.length} rejected; train ${cell.train_s} s at ${cell.train_tokens_per_s} tokens/s, generation ${cell.generated_tokens_per_s} tokens/s)`);
          await rm(join(dir, "model"), { recursive: true, force: true });
        }
      }
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  const groups = new Map<string, Cell[]>();
  for (const c of cells) groups.set(`${c.task}|${c.strategy}`, [...(groups.get(`${c.task}|${c.strategy}`) ?? []), c]);
  const table = [
    "| task | targets | seeds | trained (rejected) | exact match, mean | per seed [95% CI] | train s | train tokens/s | generation tokens/s |",
    "|---|---|---|---|---|---|---|---|---|",
    ...[...groups.values()].map((g) => `| ${g[0]!.task} | ${g[0]!.strategy} | ${g.length} | ${g[0]!.train_examples} (${g[0]!.rejected}) | ${pct(mean(g.map((c) => c.exact_match)))}% | ${g.map((c) => `${pct(c.exact_match)} [${pct(c.ci[0])}, ${pct(c.ci[1])}]`).join("; ")} | ${mean(g.map((c) => c.train_s)).toFixed(0)} | ${mean(g.map((c) => c.train_tokens_per_s)).toFixed(0)} | ${mean(g.map((c) => c.generated_tokens_per_s)).toFixed(1)} |`),
  ].join("\n");
  const outDir = resolve(REPO_ROOT, "bench", "results");
  await writeJsonAtomic(join(outDir, `${values.out}.json`), { options: values, student: "smollm2 (SmolLM2-135M-Instruct, LoRA r=8)", cells });
  await writeFileAtomic(join(outDir, `${values.out}.md`), `${table}\n`);
  console.log(table);
}

await main();
