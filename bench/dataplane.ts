/**
 * Data-plane benchmark: real fine-tunes of the packaged MiniLM on real data sets, scored on their
 * test splits, plus serve-mode throughput and worker cold start.
 *
 *   npm run bench:dataplane -- [--cases banking77-head,banking77-full,...,serve] [--quick] [--reuse]
 *
 * Results merge into bench/results/dataplane.json (so cases can be run one at a time) and the
 * table is rewritten to bench/results/dataplane.md and printed.
 */
import { existsSync } from "node:fs";
import { mkdtemp, readFile } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { progressPrinter } from "../lib/progress-bar.ts";
import { type Dataset, type Example, everyNth, readExamples, writeExamplesJsonl } from "../data/index.ts";
import { evaluateModel } from "../trainer/evaluate-model.ts";
import { writeFileAtomic, writeJsonAtomic } from "../lib/atomic-write.ts";
import type { JobSpecInput } from "../trainer/job-spec.ts";
import { trainModel } from "../trainer/launcher.ts";
import { REPO_ROOT } from "../lib/repo-root.ts";
import { WorkerServer } from "../trainer/serve-client.ts";
import { datasetsDir } from "../data/shared-datasets.ts";

interface Case {
  name: string;
  dataset: string;
  train: string;
  test: string;
  spec: Omit<JobSpecInput, "kind" | "train_path" | "out_dir">;
}

const CASES: Case[] = [
  { name: "banking77-head", dataset: "banking77", train: "train", test: "test", spec: { strategy: "head", epochs: 30 } },
  { name: "banking77-lora", dataset: "banking77", train: "train", test: "test", spec: { strategy: "lora", epochs: 3, learning_rate: 1e-3 } },
  { name: "banking77-full", dataset: "banking77", train: "train", test: "test", spec: { strategy: "full", epochs: 5, learning_rate: 1e-4 } },
  { name: "wnut17-full", dataset: "wnut17", train: "train", test: "test", spec: { strategy: "full", epochs: 5, learning_rate: 1e-4, batch_size: 16 } },
  { name: "clinc150-full", dataset: "clinc150", train: "train", test: "test", spec: { strategy: "full", epochs: 3, learning_rate: 1e-4, oos_label: "oos" } },
];

const RESULTS_DIR = join(REPO_ROOT, "bench", "results");

function slice(dataset: Dataset, n: number): Dataset {
  return { ...dataset, examples: everyNth<Example>(dataset.examples, n) } as Dataset;
}

async function runCase(c: Case, quick: boolean, reuse: Record<string, unknown> | undefined): Promise<Record<string, unknown>> {
  const dir = join(datasetsDir(), c.dataset);
  let train = await readExamples(join(dir, `${c.train}.jsonl`));
  let test = await readExamples(join(dir, `${c.test}.jsonl`));
  if (quick) {
    train = slice(train, 600);
    test = slice(test, 300);
  }
  const work = await mkdtemp(join(tmpdir(), `pioneer-bench-${c.name}-`));
  const trainPath = join(work, "train.jsonl");
  await writeExamplesJsonl(trainPath, train.examples);
  console.error(`\n== ${c.name}: ${train.examples.length} train, ${test.examples.length} test`);
  const started = performance.now();
  const printer = progressPrinter();
  const reusable = typeof reuse?.model_dir === "string" && existsSync(join(reuse.model_dir, "pioneer.json"));
  const trained = reusable
    ? { modelDir: String(reuse?.model_dir), metrics: { examples_per_s: reuse?.train_examples_per_s, threads: reuse?.threads } }
    : await trainModel(
        { kind: train.kind, train_path: trainPath, out_dir: join(work, "model"), ...c.spec, ...(quick ? { epochs: 1 } : {}) },
        { onProgress: (e) => printer.update(e) },
      );
  const trainWall = reusable ? Number(reuse?.train_wall_s) : (performance.now() - started) / 1000;
  if (reusable) console.error(`(re-evaluating the model trained earlier in ${trained.modelDir})`);
  const evaluation = await evaluateModel(trained.modelDir, test, work);
  const row: Record<string, unknown> = {
    case: c.name,
    strategy: c.spec.strategy,
    train_examples: train.examples.length,
    test_examples: test.examples.length,
    epochs: quick ? 1 : c.spec.epochs,
    train_wall_s: Math.round(trainWall),
    train_examples_per_s: trained.metrics.examples_per_s,
    threads: trained.metrics.threads,
    predict_examples_per_s: evaluation.examples_per_s,
    model_dir: trained.modelDir,
    quick,
  };
  if (evaluation.kind === "classification") {
    row.accuracy = evaluation.metrics.accuracy;
    row.macro_f1 = evaluation.metrics.macro_f1;
    if (evaluation.metrics.oos) {
      row.in_scope_accuracy = evaluation.metrics.oos.in_scope_accuracy;
      row.oos_recall = evaluation.metrics.oos.recall;
      row.oos_precision = evaluation.metrics.oos.precision;
      // The worker flags low-confidence predictions; treating them as out-of-scope is the usual fallback.
      const flagged = evaluation.predictions.map((p) => (p.below_threshold ? "oos" : p.label));
      const gold = test.examples.map((e) => ("label" in e ? e.label : ""));
      const oosIdx = gold.map((g, i) => (g === "oos" ? i : -1)).filter((i) => i >= 0);
      const inIdx = gold.map((g, i) => (g !== "oos" ? i : -1)).filter((i) => i >= 0);
      row.oos_recall_with_threshold = oosIdx.filter((i) => flagged[i] === "oos").length / oosIdx.length;
      row.in_scope_accuracy_with_threshold = inIdx.filter((i) => flagged[i] === gold[i]).length / inIdx.length;
    }
  } else {
    row.entity_f1 = evaluation.metrics.f1;
    row.entity_precision = evaluation.metrics.precision;
    row.entity_recall = evaluation.metrics.recall;
  }
  console.error(evaluation.report);
  return row;
}

/** Worker cold start (spawn to ready, then first predict incl. model load) and warm throughput. */
async function serveBench(modelDir: string, quick: boolean): Promise<Record<string, unknown>> {
  const test = await readExamples(join(datasetsDir(), "banking77", "test.jsonl"));
  const texts = test.examples.map((e) => ("text" in e ? e.text : "")).slice(0, quick ? 256 : 3080);
  const t0 = performance.now();
  const server = await WorkerServer.start();
  const ready = performance.now();
  await server.predictTexts(modelDir, [texts[0] ?? "hello"]);
  const firstPredict = performance.now();
  const result: Record<string, unknown> = {
    cold_start_s: +((ready - t0) / 1000).toFixed(2),
    first_predict_s: +((firstPredict - ready) / 1000).toFixed(2),
  };
  for (const batch of [1, 32]) {
    const n = batch === 1 ? Math.min(200, texts.length) : texts.length;
    const start = performance.now();
    for (let i = 0; i < n; i += batch) await server.predictTexts(modelDir, texts.slice(i, i + batch));
    result[`utterances_per_s_batch${batch}`] = +(n / ((performance.now() - start) / 1000)).toFixed(1);
  }
  const start = performance.now();
  await server.embed(texts);
  result.embed_per_s = +(texts.length / ((performance.now() - start) / 1000)).toFixed(1);
  await server.close();
  return result;
}

const pct = (v: unknown) => (typeof v === "number" ? `${(v * 100).toFixed(1)}%` : "");

function table(rows: Record<string, unknown>[], serve: Record<string, unknown> | undefined): string {
  const lines = [
    "| case | strategy | train ex | epochs | test metric | extra | train wall | train ex/s | predict ex/s |",
    "|---|---|---|---|---|---|---|---|---|",
  ];
  for (const r of rows) {
    const metric = r.entity_f1 !== undefined ? `entity F1 ${pct(r.entity_f1)}` : `acc ${pct(r.accuracy)}, macro-F1 ${pct(r.macro_f1)}`;
    const extra =
      r.oos_recall !== undefined
        ? `in-scope acc ${pct(r.in_scope_accuracy)}, oos recall ${pct(r.oos_recall)} (with threshold: ${pct(r.in_scope_accuracy_with_threshold)} / ${pct(r.oos_recall_with_threshold)})`
        : r.entity_f1 !== undefined
          ? `P ${pct(r.entity_precision)} R ${pct(r.entity_recall)}`
          : "";
    lines.push(
      `| ${r.case}${r.quick ? " (quick)" : ""} | ${r.strategy} | ${r.train_examples} | ${r.epochs} | ${metric} | ${extra} | ${r.train_wall_s} s | ${r.train_examples_per_s} | ${r.predict_examples_per_s} |`,
    );
  }
  lines.push(
    "",
    "Train ex/s counts examples through the optimizer per second of wall time (head-only: passes over",
    "features the frozen encoder computed once, so it is not comparable). Predict ex/s is the worker's",
    "batched `predict` after the model is loaded.",
  );
  if (serve) {
    lines.push("", "| serve mode | value |", "|---|---|");
    for (const [k, v] of Object.entries(serve)) lines.push(`| ${k} | ${v} |`);
  }
  return lines.join("\n");
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      cases: { type: "string" },
      quick: { type: "boolean", default: false },
      // Re-score models an earlier run trained (when their directories still exist) instead of retraining.
      reuse: { type: "boolean", default: false },
    },
  });
  const wanted = values.cases ? values.cases.split(",") : CASES.map((c) => c.name);
  const unknown = wanted.filter((w) => w !== "serve" && !CASES.some((c) => c.name === w));
  if (unknown.length) throw new Error(`unknown case(s) ${unknown.join(", ")}; known: ${CASES.map((c) => c.name).join(", ")}, serve`);
  const resultsPath = join(RESULTS_DIR, values.quick ? "dataplane-quick.json" : "dataplane.json");
  const previous = await readFile(resultsPath, "utf8").then((t) => JSON.parse(t) as { rows: Record<string, unknown>[]; serve?: Record<string, unknown> }).catch(() => ({ rows: [] as Record<string, unknown>[], serve: undefined }));
  const rows = new Map(previous.rows.map((r) => [String(r.case), r]));
  let serve = previous.serve;
  for (const c of CASES.filter((c) => wanted.includes(c.name))) {
    rows.set(c.name, await runCase(c, values.quick, values.reuse ? rows.get(c.name) : undefined));
    await writeJsonAtomic(resultsPath, { rows: [...rows.values()], serve, machine: machine() });
  }
  const serveModel = rows.get("banking77-full")?.model_dir ?? rows.get("banking77-head")?.model_dir;
  if ((wanted.includes("serve") || !values.cases) && typeof serveModel === "string") {
    console.error("\n== serve mode");
    serve = { model: rows.get("banking77-full") ? "banking77-full" : "banking77-head", ...(await serveBench(serveModel, values.quick)) };
  }
  const ordered = CASES.map((c) => rows.get(c.name)).filter((r): r is Record<string, unknown> => r !== undefined);
  await writeJsonAtomic(resultsPath, { rows: ordered, serve, machine: machine() });
  const md = `# Data-plane benchmark${values.quick ? " (quick)" : ""}\n\nMachine: ${machine()}\n\n${table(ordered, serve)}\n`;
  await writeFileAtomic(resultsPath.replace(/\.json$/, ".md"), md);
  console.log(md);
}

function machine(): string {
  return `${process.platform} ${process.arch}, ${cpus().length} CPU cores, Node ${process.version}`;
}

await main();
