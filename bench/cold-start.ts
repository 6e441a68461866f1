/**
 * Cold-start benchmark: what each source of data buys when all a user has is a description of the
 * task, its label names, maybe a few examples and maybe real unlabeled traffic. No key: the no-LLM
 * path. Each row is a real `pioneer` run (the CLI, as a user runs it); the promoted model is scored on
 * the dataset's test split (out-of-scope queries included for CLINC150), which no run sees: the runs
 * choose their model and out-of-scope threshold on the dev split (`--eval`).
 *
 *   npm run bench:coldstart -- [--datasets snips,banking77,clinc150,restaurant8k] [--seeds 5] [--traffic 3000] [--rounds 3]
 *                             [--methods zero-shot,seeds-only,description,seeds,traffic,seeds+traffic,rounds]
 *                             [--threads 2] [--work DIR] [--out cold-start]
 *
 * Rows: the two baselines (zero-shot from the label names alone; a student trained on the seeds
 * alone with `pioneer train`, at least ~100 steps), then `pioneer cold-start` from the description, with the
 * seeds, with the traffic (the training split's texts, labels removed, seeds left out), with both,
 * and with both over `--rounds` self-training rounds. `--methods` runs some of them only.
 * Writes bench/results/<out>.{json,md} and prints the table.
 */
import { mkdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { execa } from "execa";
import { type ClassificationExample, readExamples, seededShuffle, writeExamplesJsonl } from "../data/index.ts";
import { datasetPath } from "../data/shared-datasets.ts";
import { writeFileAtomic, writeJsonAtomic } from "../lib/atomic-write.ts";
import { REPO_ROOT } from "../lib/repo-root.ts";

interface Dataset {
  name: string;
  /** A token task's dataset (entity types instead of labels, entity F1 instead of accuracy). */
  kind?: "token";
  /** What a user would write: one or two sentences, the way a product owner describes the task. */
  description: string;
  oosLabel?: string;
}

const DATASETS: Dataset[] = [
  { name: "snips", description: "Route a voice assistant's requests. Users ask for the weather, book a restaurant table, add a song to a playlist, play music, rate a book, search for a creative work like a movie or a TV show, and search for screening events at cinemas." },
  { name: "banking77", description: "Sort the messages customers send to an online bank's support chat by what they need: cards (ordering, activating, arrival, payments, declines), top-ups, transfers, cash withdrawals, exchange rates and fees, identity verification, and the account itself." },
  { name: "clinc150", description: "Classify what users ask a virtual assistant into 150 intents across banking, credit cards, work, travel, utility, auto and commute, home, kitchen and dining, small talk and meta; anything else is out of scope.", oosLabel: "oos" },
  { name: "restaurant8k", kind: "token", description: "A restaurant booking assistant: in each message, find the date and time of the booking, the number of people, and the first name and last name of the guest." },
];

const { values } = parseArgs({
  options: {
    datasets: { type: "string", default: DATASETS.map((d) => d.name).join(",") },
    seeds: { type: "string", default: "5" }, traffic: { type: "string", default: "3000" },
    threads: { type: "string", default: "2" }, work: { type: "string" }, rounds: { type: "string", default: "3" },
    methods: { type: "string", default: "zero-shot,seeds-only,description,seeds,traffic,seeds+traffic,rounds" }, out: { type: "string", default: "cold-start" },
  },
});
const seedsPerLabel = Number(values.seeds);
const trafficSize = Number(values.traffic);
const rounds = Number(values.rounds);
const methods = new Set(values.methods.split(","));
const work = resolve(values.work ?? join(tmpdir(), "pioneer-bench-cold-start"));
const cli = join(REPO_ROOT, "cli", "bin.js");

interface Row {
  dataset: string;
  /** Token rows: entity-level strict micro F1, precision and recall (accuracy and macro-F1 unused). */
  entity?: { f1: number; precision: number; recall: number };
  method: string;
  /** Which of the run's candidates it promoted (cold-start rows). */
  promoted?: string;
  accuracy: number;
  macro_f1: number;
  test_n: number;
  /** With an out-of-scope label: the share of out-of-scope queries caught, and accuracy on the rest. */
  oos_recall?: number;
  in_scope_accuracy?: number;
  wall_s: number;
  examples: Record<string, { kept: number; dropped: number }>;
  oos_threshold?: number | null;
}

async function pioneer(args: string[], registry: string): Promise<{ stdout: string; wall_s: number }> {
  const started = performance.now();
  const result = await execa("node", [cli, ...args], { reject: false, env: { PIONEER_REGISTRY: registry, PIONEER_THREADS: values.threads }, stderr: "inherit" });
  if (result.exitCode !== 0) throw new Error(`pioneer ${args[0]} failed (exit ${result.exitCode}): ${result.stdout.slice(-500)}`);
  return { stdout: result.stdout, wall_s: (performance.now() - started) / 1000 };
}
const lastJson = <T>(stdout: string) => JSON.parse(stdout.trim().split("\n").at(-1)!) as T;

async function scoreOnTest(model: string, test: string, registry: string) {
  const { stdout } = await pioneer(["eval", "--model", model, "--data", test, "--json"], registry);
  const e = lastJson<{ accuracy: number; macro_f1: number; n: number; oos?: { recall: number; in_scope_accuracy: number } }>(stdout);
  return { accuracy: e.accuracy, macro_f1: e.macro_f1, test_n: e.n, ...(e.oos ? { oos_recall: e.oos.recall, in_scope_accuracy: e.oos.in_scope_accuracy } : {}) };
}

/** A token task: seeds are the first `seedsPerLabel` sentences with an entity of each type in a
 * seeded shuffle of train; the next 500 are the runs' --eval (restaurant8k has no dev split); the
 * traffic is the next `trafficSize` sentences' texts. */
async function benchTokenDataset(ds: Dataset): Promise<Row[]> {
  const dir = join(work, ds.name);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const registry = join(dir, "registry");
  const rowsOf = async (split: string) => (await readFile(datasetPath(ds.name, split), "utf8")).trim().split("\n").map((l, i) => ({ id: `${split}-${i}`, ...(JSON.parse(l) as { text: string; tokens: string[]; tags: string[] }) }));
  const train = seededShuffle(await rowsOf("train"), 20261130);
  const types = [...new Set(train.flatMap((r) => r.tags.filter((t) => t !== "O").map((t) => t.slice(2))))].sort();
  const seeds: typeof train = [];
  for (const type of types) seeds.push(...train.filter((r) => r.tags.includes(`B-${type}`) && !seeds.includes(r)).slice(0, seedsPerLabel));
  const rest = train.filter((r) => !seeds.includes(r));
  const tagged = (rows: typeof train) => rows.map((r) => `${JSON.stringify({ id: r.id, tokens: r.tokens, tags: r.tags })}\n`).join("");
  const seedsPath = join(dir, "seeds.jsonl");
  const devPath = join(dir, "dev.jsonl");
  const trafficPath = join(dir, "traffic.jsonl");
  const testPath = join(dir, "test.jsonl");
  await writeFileAtomic(seedsPath, tagged(seeds));
  await writeFileAtomic(devPath, tagged(rest.slice(0, 500)));
  await writeFileAtomic(trafficPath, rest.slice(500, 500 + trafficSize).map((r) => `${JSON.stringify({ id: r.id, text: r.text })}\n`).join(""));
  await writeFileAtomic(testPath, tagged(await rowsOf("test")));
  const score = async (model: string) => {
    const { stdout } = await pioneer(["eval", "--model", model, "--data", testPath, "--json"], registry);
    const e = lastJson<{ f1: number; precision: number; recall: number }>(stdout);
    return { accuracy: Number.NaN, macro_f1: Number.NaN, test_n: (await rowsOf("test")).length, entity: { f1: e.f1, precision: e.precision, recall: e.recall } };
  };
  const rows: Row[] = [];
  const coldStart = async (method: string, extra: string[]) => {
    console.error(`\n== ${ds.name}: ${method}`);
    const run = await pioneer(["cold-start", "--kind", "token", "--task", ds.description, "--labels", types.join(","), "--eval", devPath, "--run-dir", join(dir, method.replace(/\W+/g, "-")), "--threads", values.threads, "--json", ...extra], registry);
    const out = lastJson<{ promoted: string; method: string; candidates: { id: string; round: number }[]; examples: Row["examples"] }>(run.stdout);
    const round = out.candidates.find((c) => c.id === out.promoted)?.round ?? 0;
    rows.push({ dataset: ds.name, method, promoted: `${out.method}${out.method === "student" ? ` (round ${round})` : ""}`, ...(await score(out.promoted)), wall_s: Number(run.wall_s.toFixed(1)), examples: out.examples });
  };
  // The zero-shot baseline is the cold start from the description alone: with no seed, each type's
  // prototype is its definition's embedding.
  if (methods.has("zero-shot") || methods.has("description")) await coldStart("zero-shot (description)", []);
  if (methods.has("seeds-only")) {
    console.error(`\n== ${ds.name}: seeds only`);
    const epochs = Math.max(5, Math.ceil(100 / Math.ceil(seeds.length / 32)));
    const trained = await pioneer(["train", "--kind", "token", "--data", seedsPath, "--out", join(dir, "seeds-only"), "--epochs", String(epochs), "--threads", values.threads, "--json"], registry);
    rows.push({ dataset: ds.name, method: `seeds only (${seedsPerLabel} a type)`, ...(await score(lastJson<{ id: string }>(trained.stdout).id)), wall_s: Number(trained.wall_s.toFixed(1)), examples: { seeds: { kept: seeds.length, dropped: 0 } } });
  }
  if (methods.has("seeds")) await coldStart(`cold start: description + ${seedsPerLabel} seeds`, ["--examples", seedsPath]);
  if (methods.has("traffic")) await coldStart("cold start: description + traffic", ["--unlabeled", trafficPath]);
  if (methods.has("seeds+traffic")) await coldStart(`cold start: description + ${seedsPerLabel} seeds + traffic`, ["--examples", seedsPath, "--unlabeled", trafficPath]);
  if (methods.has("rounds") && rounds > 1) await coldStart(`cold start: description + ${seedsPerLabel} seeds + traffic, ${rounds} rounds`, ["--examples", seedsPath, "--unlabeled", trafficPath, "--rounds", String(rounds)]);
  return rows;
}

async function benchDataset(ds: Dataset): Promise<Row[]> {
  const dir = join(work, ds.name);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const registry = join(dir, "registry");
  const train = (await readExamples(datasetPath(ds.name, "train"), { kind: "classification" })).examples as ClassificationExample[];
  const test = datasetPath(ds.name, "test");
  const dev = datasetPath(ds.name, "dev");
  const labels = [...new Set(train.map((e) => e.label))].sort();
  const inScope = labels.filter((l) => l !== ds.oosLabel);

  // Seeds: the first `seedsPerLabel` of each label in a seeded shuffle of the training split (the
  // out-of-scope label too: a user would show a few). Traffic: the next messages, labels removed.
  const shuffled = seededShuffle(train, 20261130);
  const seeds = labels.flatMap((l) => shuffled.filter((e) => e.label === l).slice(0, seedsPerLabel));
  const seedIds = new Set(seeds.map((e) => e.id));
  const traffic = shuffled.filter((e) => !seedIds.has(e.id)).slice(0, trafficSize);
  const seedsPath = join(dir, "seeds.jsonl");
  const trafficPath = join(dir, "traffic.jsonl");
  await writeExamplesJsonl(seedsPath, seeds);
  await writeFileAtomic(trafficPath, traffic.map((e) => `${JSON.stringify({ id: e.id, text: e.text })}\n`).join(""));
  const oosArgs = ds.oosLabel ? ["--oos-label", ds.oosLabel] : [];
  const rows: Row[] = [];

  const coldStart = async (method: string, task: string, extra: string[]) => {
    console.error(`\n== ${ds.name}: ${method}`);
    const run = await pioneer(["cold-start", "--task", task, "--labels", inScope.join(","), ...oosArgs, "--eval", dev, "--run-dir", join(dir, method.replace(/\W+/g, "-")), "--threads", values.threads, "--json", ...extra], registry);
    const out = lastJson<{ promoted: string; method: string; candidates: { id: string; round: number }[]; examples: Row["examples"]; oos_threshold?: { threshold: number; chosen_on: string | null } }>(run.stdout);
    const round = out.candidates.find((c) => c.id === out.promoted)?.round ?? 0;
    rows.push({
      dataset: ds.name, method, promoted: `${out.method}${round > 1 ? ` (round ${round})` : ""}`, ...(await scoreOnTest(out.promoted, test, registry)), wall_s: Number(run.wall_s.toFixed(1)), examples: out.examples,
      ...(out.oos_threshold ? { oos_threshold: out.oos_threshold.chosen_on ? out.oos_threshold.threshold : null } : {}),
    });
  };

  // Baselines. Zero-shot from the label names: a description that names no label adds nothing to them.
  if (methods.has("zero-shot")) await coldStart("zero-shot (label names)", "Classify each message.", []);
  if (methods.has("seeds-only")) {
    console.error(`\n== ${ds.name}: seeds only`);
    // pioneer train's default 5 epochs are 10 steps on SNIPS's 35 seeds (49.86% on test): the
    // baseline gets at least ~100 steps instead.
    const epochs = Math.max(5, Math.ceil(100 / Math.ceil(seeds.length / 32)));
    const trained = await pioneer(["train", "--data", seedsPath, "--out", join(dir, "seeds-only"), "--epochs", String(epochs), ...oosArgs, "--threads", values.threads, "--json"], registry);
    rows.push({ dataset: ds.name, method: `seeds only (${seedsPerLabel} a label)`, ...(await scoreOnTest(lastJson<{ id: string }>(trained.stdout).id, test, registry)), wall_s: Number(trained.wall_s.toFixed(1)), examples: { seeds: { kept: seeds.length, dropped: 0 } } });
  }
  if (methods.has("description")) await coldStart("cold start: description", ds.description, []);
  if (methods.has("seeds")) await coldStart(`cold start: description + ${seedsPerLabel} seeds`, ds.description, ["--examples", seedsPath]);
  if (methods.has("traffic")) await coldStart("cold start: description + traffic", ds.description, ["--unlabeled", trafficPath]);
  if (methods.has("seeds+traffic")) await coldStart(`cold start: description + ${seedsPerLabel} seeds + traffic`, ds.description, ["--examples", seedsPath, "--unlabeled", trafficPath]);
  if (methods.has("rounds") && rounds > 1) await coldStart(`cold start: description + ${seedsPerLabel} seeds + traffic, ${rounds} rounds`, ds.description, ["--examples", seedsPath, "--unlabeled", trafficPath, "--rounds", String(rounds)]);
  return rows;
}

const pct = (x: number) => (x * 100).toFixed(2);
const started = performance.now();
const rows: Row[] = [];
for (const name of values.datasets.split(",")) {
  const ds = DATASETS.find((d) => d.name === name);
  if (!ds) throw new Error(`--datasets: unknown dataset ${name} (known: ${DATASETS.map((d) => d.name).join(", ")})`);
  rows.push(...(await (ds.kind === "token" ? benchTokenDataset(ds) : benchDataset(ds))));
}
const sources = (r: Row) => Object.entries(r.examples).map(([source, n]) => `${source} ${n.kept} kept / ${n.dropped} dropped`).join("; ");
const tokenRows = rows.filter((r) => r.entity);
const classificationRows = rows.filter((r) => !r.entity);
const hasOos = rows.some((r) => r.oos_recall !== undefined);
const oosCells = (r: Row) => (hasOos ? ` ${r.oos_recall === undefined ? "-" : pct(r.oos_recall)} | ${r.in_scope_accuracy === undefined ? "-" : pct(r.in_scope_accuracy)} |` : "");
const md = [
  `# Cold start, no key (${seedsPerLabel} seeds a label, ${trafficSize} traffic messages)`,
  "",
  "Accuracy on each dataset's test split (CLINC150: 150 intents + 1000 out-of-scope queries of 5500), which no run sees; runs choose their candidate and out-of-scope threshold on the dev split. Wall time on this machine's CPUs, scoring on test excluded.",
  "",
  ...(classificationRows.length > 0 ? [
    `| dataset | method | promoted | accuracy | macro-F1 |${hasOos ? " oos recall | in-scope accuracy |" : ""} examples (per source) | wall s |`,
    `|---|---|---|---:|---:|${hasOos ? "---:|---:|" : ""}---|---:|`,
    ...classificationRows.map((r) => `| ${r.dataset} | ${r.method} | ${r.promoted ?? "-"}${r.oos_threshold ? ` (oos < ${r.oos_threshold})` : ""} | ${pct(r.accuracy)} | ${pct(r.macro_f1)} |${oosCells(r)} ${sources(r)} | ${r.wall_s} |`),
    "",
  ] : []),
  ...(tokenRows.length > 0 ? [
    "Token task: entity-level strict micro F1 on the test split; runs choose on 500 held-out training sentences (restaurant8k has no dev split).",
    "",
    "| dataset | method | promoted | entity F1 | precision | recall | examples (per source) | wall s |",
    "|---|---|---|---:|---:|---:|---|---:|",
    ...tokenRows.map((r) => `| ${r.dataset} | ${r.method} | ${r.promoted ?? "-"} | ${pct(r.entity!.f1)} | ${pct(r.entity!.precision)} | ${pct(r.entity!.recall)} | ${sources(r)} | ${r.wall_s} |`),
    "",
  ] : []),
].join("\n");
console.log(md);
await writeJsonAtomic(join(REPO_ROOT, "bench", "results", `${values.out}.json`), { seeds_per_label: seedsPerLabel, traffic: trafficSize, rounds, threads: Number(values.threads), wall_s: Number(((performance.now() - started) / 1000).toFixed(1)), rows });
await writeFileAtomic(join(REPO_ROOT, "bench", "results", `${values.out}.md`), md);
