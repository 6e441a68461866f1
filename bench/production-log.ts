/**
 * Production-log benchmark: a deployed intent classifier meets real traffic it was not trained for,
 * out-of-scope queries (CLINC150's `oos`) or intents it never saw, and three ways to react are
 * judged on the production distribution: keep v0, naive retraining (v0's data plus every logged
 * query with its gold label, same recipe) and `maintain --log` (the LangGraph loop, offline
 * policies) on the same log.
 *
 *   npm run bench:production -- [--scenario clinc150-oos|clinc150-new-intents|clinc150-oos-noisy|all] [--quick] [--seed N] [--work DIR]
 *
 * Per scenario: `intents` CLINC150 intents are drawn (seeded); v0 is fine-tuned on their training
 * examples (less `heldBack` intents, which appear only in the traffic). The traffic is their test
 * queries plus, for `oosShare` > 0, CLINC150 test `oos` queries making up that share of it,
 * shuffled and split in two halves: the log (with v0's predictions; maintain and naive learn from
 * it) and the unseen half every model is scored on. Flips are counted on the regression part of
 * maintain's split of the log (queries v0 answered right). In clinc150-oos-noisy, 30% of the logged
 * in-scope queries carry another intent as their gold label (noisy feedback); scores stay on true labels.
 *
 * Writes bench/results/production-log{,-quick}.{json,md} and prints the table.
 */
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { type ClassificationExample, readExamples, seededShuffle, writeExamplesJsonl } from "../data/index.ts";
import { datasetPath } from "../data/shared-datasets.ts";
import { predictedLabel } from "../evals/types.ts";
import { openCheckpointer } from "../graph/checkpointer.ts";
import { compileMaintainGraph } from "../graph/graph.ts";
import { MaintainInput } from "../graph/maintain-input.ts";
import { writeFileAtomic, writeJsonAtomic } from "../lib/atomic-write.ts";
import { progressPrinter } from "../lib/progress-bar.ts";
import { REPO_ROOT } from "../lib/repo-root.ts";
import { RunResources } from "../run/resources.ts";
import { predictExamples } from "../run/score-model.ts";
import { trainOnce } from "./train-once.ts";

interface Scenario {
  name: string;
  intents: number;
  /** Intents left out of v0's training data: they appear only in the traffic. */
  heldBack: number;
  /** Share of the traffic that is out of scope. */
  oosShare: number;
  /** Share of the logged in-scope queries whose gold label is wrong (another drawn intent): noisy
   * feedback. The unseen half keeps its true labels. */
  feedbackNoise?: number;
}

const SCENARIOS: Scenario[] = [
  { name: "clinc150-oos", intents: 30, heldBack: 0, oosShare: 0.5 },
  { name: "clinc150-new-intents", intents: 30, heldBack: 10, oosShare: 0 },
  { name: "clinc150-oos-noisy", intents: 30, heldBack: 0, oosShare: 0.5, feedbackNoise: 0.3 },
];

const OOS = "oos";
const RECIPE = { strategy: "full" as const, epochs: 3 };

/** Production accuracy, in-scope accuracy, out-of-scope recall and accuracy on the held-back
 * intents, of predictions on the unseen half. */
function scores(gold: readonly ClassificationExample[], predicted: readonly string[], heldBack: ReadonlySet<string>) {
  const acc = (keep: (e: ClassificationExample) => boolean) => {
    const idx = gold.map((e, i) => (keep(e) ? i : -1)).filter((i) => i >= 0);
    return idx.length ? idx.filter((i) => predicted[i] === gold[i]!.label).length / idx.length : null;
  };
  return { production: acc(() => true), in_scope: acc((e) => e.label !== OOS), oos_recall: acc((e) => e.label === OOS), new_intents: heldBack.size ? acc((e) => heldBack.has(e.label)) : null };
}

/** Marks a logged query whose gold label the benchmark made wrong (the id keeps it traceable). */
const NOISY = "~noisy";

/** `share` of the in-scope queries get another of the intents as their gold label, seeded. */
function withFeedbackNoise(logged: ClassificationExample[], intents: readonly string[], share: number, seed: number): ClassificationExample[] {
  if (share <= 0) return logged;
  const inScope = logged.map((e, i) => (e.label !== OOS ? i : -1)).filter((i) => i >= 0);
  const chosen = new Set(seededShuffle(inScope, seed + 2).slice(0, Math.round(inScope.length * share)));
  return logged.map((e, i) => {
    if (!chosen.has(i)) return e;
    const others = intents.filter((l) => l !== e.label);
    return { ...e, id: `${e.id}${NOISY}`, label: others[(i * 7 + seed) % others.length]! };
  });
}

async function runScenario(s: Scenario, quick: boolean, seed: number, workRoot: string | undefined): Promise<Record<string, unknown>> {
  const work = workRoot ? join(workRoot, `${s.name}${quick ? "-quick" : ""}-seed${seed}`) : await mkdtemp(join(tmpdir(), `pioneer-production-${s.name}-`));
  for (const dir of ["maintain", "registry", "memory"]) await rm(join(work, dir), { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  const log = (msg: string) => console.error(`[${s.name}] ${msg}`);
  const read = async (split: string) => (await readExamples(datasetPath("clinc150", split), { kind: "classification" })).examples as ClassificationExample[];
  const [train, test] = await Promise.all([read("train"), read("test")]);

  // 1. The intents, v0's training data, and the traffic split into the log and the unseen half.
  const intents = seededShuffle([...new Set(train.map((e) => e.label).filter((l) => l !== OOS))].sort(), seed).slice(0, s.intents);
  const heldBack = new Set(intents.slice(0, s.heldBack));
  const perIntentTrain = quick ? 20 : Infinity;
  const v0Train = intents.filter((i) => !heldBack.has(i)).flatMap((i) => train.filter((e) => e.label === i).slice(0, perIntentTrain));
  const inScope = intents.flatMap((i) => test.filter((e) => e.label === i).slice(0, quick ? 10 : Infinity));
  const oosCount = s.oosShare > 0 ? Math.round((inScope.length * s.oosShare) / (1 - s.oosShare)) : 0;
  const oos = seededShuffle(test.filter((e) => e.label === OOS), seed).slice(0, oosCount);
  const traffic = seededShuffle([...inScope, ...oos], seed + 1);
  const logged = withFeedbackNoise(traffic.filter((_, i) => i % 2 === 0), intents, s.feedbackNoise ?? 0, seed);
  const unseen = traffic.filter((_, i) => i % 2 === 1);
  const noisy = logged.filter((e) => e.id.endsWith(NOISY)).length;
  log(`${intents.length} intents (${heldBack.size} held back from v0), v0 trains on ${v0Train.length}; traffic ${traffic.length} (${oos.length} out of scope): ${logged.length} logged (${noisy} with a wrong gold label), ${unseen.length} unseen`);

  const printer = progressPrinter();
  const v0Path = join(work, "v0-train.jsonl");
  await writeExamplesJsonl(v0Path, v0Train);
  const epochs = quick ? 1 : RECIPE.epochs;
  const v0Start = performance.now();
  const v0 = await trainOnce({ kind: "classification", train_path: v0Path, out_dir: join(work, "v0"), model: "minilm", strategy: RECIPE.strategy, epochs, seed }, { onProgress: (e) => printer.update(e) });
  const v0Wall = (performance.now() - v0Start) / 1000;

  const registryDir = join(work, "registry");
  const resources = await RunResources.open({ memoryDir: join(work, "memory"), registryDir });
  try {
    const predict = async (dir: string, examples: readonly ClassificationExample[]) => (await predictExamples(resources.server, dir, examples)).map(predictedLabel);
    // 2. The production log: every logged query with its gold label and v0's prediction.
    const v0Logged = await predict(v0.modelDir, logged);
    const logPath = join(work, "log.jsonl");
    await writeExamplesJsonl(logPath, logged.map((e, i) => ({ ...e, pred: v0Logged[i]! })));
    log(`v0 on the log: ${((v0Logged.filter((p, i) => p === logged[i]!.label).length / logged.length) * 100).toFixed(1)}%`);

    // 3. Naive retraining: v0's data plus the whole log as labeled, from the base model, same recipe.
    const naivePath = join(work, "naive-train.jsonl");
    await writeExamplesJsonl(naivePath, [...v0Train, ...logged.map((e) => ({ ...e, id: `log/${e.id}` }))]);
    const naiveStart = performance.now();
    const naive = await trainOnce({ kind: "classification", train_path: naivePath, out_dir: join(work, "naive"), model: "minilm", strategy: RECIPE.strategy, epochs, seed }, { onProgress: (e) => printer.update(e) });
    const naiveWall = (performance.now() - naiveStart) / 1000;

    // 4. maintain --log.
    const runDir = join(work, "maintain");
    const graph = compileMaintainGraph(openCheckpointer(join(runDir, "checkpoints.sqlite")));
    const maintainStart = performance.now();
    const final = await graph.invoke(
      {
        input: MaintainInput.parse({
          model: v0.modelDir,
          train_path: v0Path,
          log_path: logPath,
          run_dir: runDir,
          registry_dir: registryDir,
          memory_dir: join(work, "memory"),
          allow_new_labels: true,
          ...(oos.length ? { oos_label: OOS } : {}),
          rounds: quick ? 1 : 3,
          seed,
          llm: "off",
          ...(quick ? { max_epochs: 1 } : {}),
        }),
      },
      { configurable: { thread_id: `bench-${s.name}`, resources }, recursionLimit: 200 },
    );
    const maintainWall = (performance.now() - maintainStart) / 1000;
    const summary = final.final_report?.summary as Record<string, unknown> | undefined;
    const promotedDir = final.parent?.dir ?? v0.modelDir;

    // 5. Scores on the unseen half; flips on the log's regression part.
    const regression = (await readExamples(join(runDir, "log", "regression.jsonl"), { kind: "classification" })).examples as ClassificationExample[];
    const flipsOf = async (dir: string) => (await predict(dir, regression)).filter((p, i) => p !== regression[i]!.label).length;
    const scored = async (dir: string) => scores(unseen, await predict(dir, unseen), heldBack);
    const row = {
      scenario: s.name,
      seed,
      quick,
      intents: intents.length,
      held_back: heldBack.size,
      v0_train: v0Train.length,
      logged: logged.length,
      noisy_feedback: noisy,
      unseen: unseen.length,
      oos_share: oos.length / traffic.length,
      v0: await scored(v0.modelDir),
      naive: await scored(naive.modelDir),
      maintain: await scored(promotedDir),
      promoted: summary?.promoted ?? null,
      regression: regression.length,
      flips: await flipsOf(promotedDir),
      naive_flips: await flipsOf(naive.modelDir),
      rounds: (summary?.rounds as unknown[] | undefined)?.length ?? 0,
      round_verdicts: ((summary?.rounds ?? []) as { round: number; pass: boolean | null; reasons: string[]; task: number | null }[]).map((r) => ({ round: r.round, pass: r.pass, task: r.task, reasons: r.reasons })),
      stop_reason: summary?.stop_reason ?? null,
      diagnosis: (summary?.diagnosis as { counts?: unknown } | undefined)?.counts ?? null,
      v0_train_s: Math.round(v0.reused ? Number(v0.metrics.wall_s ?? v0Wall) : v0Wall),
      naive_train_s: Math.round(naive.reused ? Number(naive.metrics.wall_s ?? naiveWall) : naiveWall),
      maintain_s: Math.round(maintainWall),
      report: join(runDir, "report.md"),
    };
    log(JSON.stringify(row));
    return row;
  } finally {
    await resources.close();
  }
}

const pct = (v: unknown) => (typeof v === "number" ? (v * 100).toFixed(2) : "-");
type Scores = ReturnType<typeof scores>;

function table(rows: Record<string, unknown>[]): string {
  const cell = (r: Record<string, unknown>, key: keyof Scores) => `${pct((r.v0 as Scores)[key])} / ${pct((r.naive as Scores)[key])} / ${pct((r.maintain as Scores)[key])}`;
  return [
    "| scenario | seed | production accuracy: v0 / naive / maintain | in scope | out-of-scope recall | held-back intents | flips (maintain / naive) | rounds | stopped | maintain wall | v0 / naive train |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
    ...rows.map(
      (r) =>
        `| ${r.scenario}${r.quick ? " (quick)" : ""} | ${r.seed} | ${cell(r, "production")} | ${cell(r, "in_scope")} | ${cell(r, "oos_recall")} | ${cell(r, "new_intents")} | ${r.flips} / ${r.naive_flips} of ${r.regression} | ${r.rounds} | ${r.stop_reason ?? "-"} | ${r.maintain_s} s | ${r.v0_train_s} s / ${r.naive_train_s} s |`,
    ),
    "",
    "Scored on the unseen half of the traffic (CLINC150 test queries of the drawn intents, plus `oos` queries in the scenario's share);",
    "the log half, with v0's predictions, is what naive retraining (v0's data + the log as labeled, from the base model) and `maintain --log` learn from.",
    "Flips: queries of the log that v0 answered right (maintain's regression split) the final model gets wrong.",
  ].join("\n");
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { scenario: { type: "string", default: "all" }, quick: { type: "boolean", default: false }, seed: { type: "string", default: "0" }, work: { type: "string" } } });
  const wanted = values.scenario === "all" ? SCENARIOS : SCENARIOS.filter((s) => s.name === values.scenario);
  if (wanted.length === 0) throw new Error(`unknown scenario ${values.scenario}; known: ${SCENARIOS.map((s) => s.name).join(", ")}, all`);
  const resultsPath = join(REPO_ROOT, "bench", "results", values.quick ? "production-log-quick.json" : "production-log.json");
  const previous = await readFile(resultsPath, "utf8").then((t) => JSON.parse(t) as { rows: Record<string, unknown>[] }).catch(() => ({ rows: [] as Record<string, unknown>[] }));
  const rowKey = (r: Record<string, unknown>) => `${r.scenario}@${r.seed}`;
  const rows = new Map(previous.rows.map((r) => [rowKey(r), r]));
  for (const s of wanted) {
    const row = await runScenario(s, values.quick, Number(values.seed), values.work);
    rows.set(rowKey(row), row);
    await writeJsonAtomic(resultsPath, { rows: [...rows.values()] });
  }
  const sorted = [...rows.values()].sort((a, b) => String(a.scenario).localeCompare(String(b.scenario)) || Number(a.seed) - Number(b.seed));
  const md = `# Production-log benchmark${values.quick ? " (quick)" : ""}\n\n${table(sorted)}\n`;
  await writeFileAtomic(resultsPath.replace(/\.json$/, ".md"), md);
  console.log(md);
}

await main();
