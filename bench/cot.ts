/**
 * Chain-of-thought benchmark: does a small decoder student learn a task better from the answer alone
 * or from a worked rationale then the answer? Each cell fine-tunes the packaged student (LoRA) on a
 * fixed training slice with one target strategy and scores exact match on held-out problems, with a
 * bootstrap interval, wall time and the throughput of training and generation.
 *
 *   npm run bench:cot -- [--tasks arithmetic,gsm8k] [--strategies answer,rationale,self] [--seeds 0,1,2]
 *                        [--train 300] [--test 200] [--epochs 2] [--threads 2] [--self-samples 2]
 *                        [--merge bench/results/A.json,...] [--out cot]
 *
 * Tasks: `arithmetic` (bench/cot/arithmetic.ts: seeded three-step word problems, generated here) and
 * `gsm8k` (the shared data set: its `rationale_clean` as the rationale, the first `--train` problems
 * of its training split, the first `--test` of its test split). `self` samples `--self-samples`
 * outputs a training question (temperature 0.7) from the same seed's rationale student, keeps those
 * that reach the gold answer and trains a fresh student on them (so it needs `rationale` before it).
 * `--merge` adds the cells of earlier result files to the table and the plot. Writes
 * bench/results/<out>.{json,md,svg}.
 */
import { mkdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { GenerationDataset } from "../data/index.ts";
import { type TargetStrategy, trainingRows } from "../generation/targets.ts";
import { writeFileAtomic, writeJsonAtomic } from "../lib/atomic-write.ts";
import { REPO_ROOT } from "../lib/repo-root.ts";
import { evaluateModel } from "../trainer/evaluate-model.ts";
import { trainModel } from "../trainer/launcher.ts";
import { COT_TASKS } from "./cot/tasks.ts";
import { renderSvg, signedHeatmap } from "../evals/plots.ts";
import { sampleSelfRationales, SELF_SAMPLING } from "../generation/self-rationales.ts";

const { values } = parseArgs({
  options: {
    tasks: { type: "string", default: "arithmetic,gsm8k" }, strategies: { type: "string", default: "answer,rationale" },
    seeds: { type: "string", default: "0,1,2" }, train: { type: "string", default: "300" }, test: { type: "string", default: "200" },
    epochs: { type: "string", default: "2" }, threads: { type: "string", default: "2" }, out: { type: "string", default: "cot" },
    "self-samples": { type: "string", default: "2" }, merge: { type: "string" },
  },
});

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
  /** self targets: outputs sampled, how many reached the gold answer, and the sampling time. */
  self?: { sampled: number; reached: number; questions: number; sample_s: number; generated_tokens_per_s: number };
}

const pct = (x: number) => (x * 100).toFixed(1);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** The table, the plot and the raw cells (with those merged from earlier files), written after
 * every cell so that a stopped run keeps what it measured. */
async function writeResults(cells: readonly Cell[]): Promise<string> {
  const merged: Cell[] = [];
  for (const file of values.merge ? values.merge.split(",") : []) merged.push(...(JSON.parse(await readFile(resolve(file), "utf8")) as { cells: Cell[] }).cells);
  // One cell per task, targets and seed: a cell measured in this run replaces a merged one, and a
  // later merged file an earlier one.
  const key = (c: Cell) => `${c.task}|${c.strategy}|${c.seed}`;
  const all = [...new Map([...merged, ...cells].map((c) => [key(c), c])).values()];
  const groups = new Map<string, Cell[]>();
  for (const c of all) groups.set(`${c.task}|${c.strategy}`, [...(groups.get(`${c.task}|${c.strategy}`) ?? []), c]);
  for (const g of groups.values()) g.sort((a, b) => a.seed - b.seed);
  const order = ["answer", "rationale", "self"];
  const sortedGroups = [...groups.values()].sort((a, b) => a[0]!.task.localeCompare(b[0]!.task) || order.indexOf(a[0]!.strategy) - order.indexOf(b[0]!.strategy));
  const selfNote = (g: Cell[]) => (g[0]!.self ? ` self: ${g.map((c) => `${c.self!.reached}/${c.self!.sampled} samples reached the answer (${c.self!.questions} questions, ${c.self!.sample_s} s)`).join("; ")}` : "");
  const table = [
    "| task | targets | seeds | trained (rejected) | exact match, mean | per seed [95% CI] | train s | train tokens/s | generation tokens/s |",
    "|---|---|---|---|---|---|---|---|---|",
    ...sortedGroups.map((g) => `| ${g[0]!.task} | ${g[0]!.strategy} | ${g.length} | ${g.map((c) => `${c.train_examples} (${c.rejected})`).join(", ")} | ${pct(mean(g.map((c) => c.exact_match)))}% | ${g.map((c) => `${pct(c.exact_match)} [${pct(c.ci[0])}, ${pct(c.ci[1])}]`).join("; ")} | ${mean(g.map((c) => c.train_s)).toFixed(0)} | ${mean(g.map((c) => c.train_tokens_per_s)).toFixed(0)} | ${mean(g.map((c) => c.generated_tokens_per_s)).toFixed(1)} |`),
    "",
    ...sortedGroups.filter((g) => g[0]!.self).map((g) => `- ${g[0]!.task}${selfNote(g)}`),
  ].join("\n");
  const tasks = [...new Set(all.map((c) => c.task))];
  const strategies = [...new Set(all.map((c) => c.strategy))];
  const plot = await renderSvg(signedHeatmap({
    title: "exact match (mean over seeds) by task and training targets",
    rows: tasks,
    cols: strategies,
    values: tasks.map((t) => strategies.map((s) => (groups.has(`${t}|${s}`) ? mean(groups.get(`${t}|${s}`)!.map((c) => c.exact_match)) : null))),
    format: (v) => `${pct(v)}%`,
  }));
  const outDir = resolve(REPO_ROOT, "bench", "results");
  await writeJsonAtomic(join(outDir, `${values.out}.json`), { options: values, student: "smollm2 (SmolLM2-135M-Instruct, LoRA r=8)", cells, merged_from: values.merge?.split(",") ?? [] });
  await writeFileAtomic(join(outDir, `${values.out}.md`), `${table}\n`);
  await writeFileAtomic(join(outDir, `${values.out}.svg`), plot);
  return table;
}

async function main(): Promise<void> {
  const work = join(tmpdir(), `pioneer-bench-cot-${process.pid}`);
  await mkdir(work, { recursive: true });
  const cells: Cell[] = [];
  const threads = Number(values.threads);
  try {
    for (const task of COT_TASKS.filter((t) => values.tasks.split(",").includes(t.name))) {
      const data = await task.load(Number(values.train), Number(values.test));
      const trainSet: GenerationDataset = { kind: "generation", path: `${task.name}/train`, examples: data.train };
      const testSet: GenerationDataset = { kind: "generation", path: `${task.name}/test`, examples: data.test };
      const strategies = values.strategies.split(",") as TargetStrategy[];
      const [selfAt, rationaleAt] = [strategies.indexOf("self"), strategies.indexOf("rationale")];
      if (selfAt >= 0 && (rationaleAt < 0 || selfAt < rationaleAt)) throw new Error("--strategies: self samples from the rationale student, so rationale must come before it");
      for (const seed of values.seeds.split(",").map(Number)) {
        let rationaleModel: string | null = null;
        for (const strategy of strategies) {
          const dir = join(work, `${task.name}-${strategy}-${seed}`);
          await mkdir(dir, { recursive: true });
          let self: Cell["self"];
          let selfRationales: Map<string, string> | undefined;
          if (strategy === "self") {
            const sampleStarted = performance.now();
            const sampled = await sampleSelfRationales(rationaleModel!, trainSet, task.extractor, dir, { ...SELF_SAMPLING, samples: Number(values["self-samples"]), seed }, { globalArgs: ["--threads", String(threads)] });
            selfRationales = sampled.rationales;
            self = { sampled: sampled.sampled, reached: sampled.reached, questions: sampled.rationales.size, sample_s: Number(((performance.now() - sampleStarted) / 1000).toFixed(1)), generated_tokens_per_s: sampled.generated_tokens_per_s };
            console.error(`${task.name} self seed ${seed}: ${self.reached} of ${self.sampled} samples reached the answer, covering ${self.questions} questions (${self.sample_s} s)`);
          }
          const { rows, rejected } = trainingRows(trainSet, strategy, task.extractor, selfRationales);
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
            ...(self ? { self } : {}),
          };
          cells.push(cell);
          await writeResults(cells);
          console.error(`${task.name} ${strategy} seed ${seed}: exact match ${pct(cell.exact_match)}% [${pct(cell.ci[0])}, ${pct(cell.ci[1])}] (${rows.length} trained, ${rejected.length} rejected; train ${cell.train_s} s at ${cell.train_tokens_per_s} tokens/s, generation ${cell.generated_tokens_per_s} tokens/s)`);
          if (strategy === "rationale") rationaleModel = model.modelDir;
          else await rm(join(dir, "model"), { recursive: true, force: true });
        }
        if (rationaleModel) await rm(rationaleModel, { recursive: true, force: true });
      }
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  console.log(await writeResults(cells));
}

await main();
