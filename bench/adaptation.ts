/**
 * Adaptation benchmark: staged production drift with rising poisoned feedback, against baselines.
 *
 *   npm run bench -- [--scenario NAME|all] [--methods a,b,c,d,e] [--quick] [--work DIR] [--report]
 *
 * Scenarios are bench/scenarios/*.json. Methods: a no retraining, b naive retraining, c confident-
 * learning filter then retrain, d Pioneer maintain (offline policies), e Pioneer with an LLM.
 * Writes bench/results/adaptation{,-quick}.{json,md} and SVG charts in bench/results/adaptation{,-quick}/;
 * `npm run bench:readme adaptation` copies the results into bench/README.md. --report only re-renders the
 * page and charts from the saved JSON.
 */
import { mkdir, mkdtemp, readdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { progressPrinter } from "../lib/progress-bar.ts";
import { writeFileAtomic, writeJsonAtomic } from "../lib/atomic-write.ts";
import { endpointConfigured } from "../llm/settings.ts";
import { REPO_ROOT } from "../lib/repo-root.ts";
import { WorkerServer } from "../trainer/serve-client.ts";
import { METHODS, type MethodKey } from "./adaptation/methods.ts";
import { charts, resultsMarkdown } from "./adaptation/report.ts";
import { type ResultRow, runScenario } from "./adaptation/run-scenario.ts";
import { readScenario, type Scenario } from "./adaptation/scenario-file.ts";

export const SCENARIO_DIR = join(REPO_ROOT, "bench", "scenarios");

export async function listScenarios(): Promise<Scenario[]> {
  const files = (await readdir(SCENARIO_DIR)).filter((f) => f.endsWith(".json")).sort();
  return Promise.all(files.map((f) => readScenario(join(SCENARIO_DIR, f))));
}

export function parseMethods(value: string): MethodKey[] {
  const keys = value.split(",").map((k) => k.trim()).filter(Boolean);
  for (const k of keys) if (!(k in METHODS)) throw new Error(`--methods: unknown method "${k}"; known: ${Object.entries(METHODS).map(([key, m]) => `${key} (${m.id})`).join(", ")}`);
  return keys as MethodKey[];
}

const SETUP = [
  "Setup: each scenario (bench/scenarios/*.json, seeded) trains a base model (MiniLM, full fine-tune) on a starting slice",
  "without the held-back labels or entity types, then runs 3 deployment stages of logged predictions with labeled feedback;",
  "a rising share of the feedback is poisoned (wrong labels, typos, truncation, contradictory near-duplicates of trusted",
  "examples, prompt-injection strings) and the held-back traffic arrives at a later stage (distribution shift).",
  "Metric: on the union of the stages' clean test splits and the original test split. Start = the base model.",
  "Worst regression: the largest share of any regression set a method's model gets wrong (golden = clean dev examples the",
  "base model gets right; stage k test = that stage's clean test examples the model after stage k got right).",
  "Gate flips: golden examples now wrong; a gate violation is a deployed Pioneer model with more than 2.",
  "Naive and filtered retraining deploy every retrain (they have no gate). Wall: the method's own time over the 3 stages.",
];

const METHOD_ORDER: string[] = Object.values(METHODS).map((m) => m.id);

/** Scenarios in order of first appearance, then methods a..e, then stages. */
function sortRows(rows: readonly ResultRow[]): ResultRow[] {
  const order = new Map([...new Set(rows.map((r) => r.scenario))].map((s, k) => [s, k]));
  return [...rows].sort((a, b) => order.get(a.scenario)! - order.get(b.scenario)! || METHOD_ORDER.indexOf(a.method) - METHOD_ORDER.indexOf(b.method) || a.stage - b.stage);
}

export async function runBenchmark(options: { scenarios: Scenario[]; methods: MethodKey[]; quick: boolean; workDir: string; resultsDir: string }): Promise<ResultRow[]> {
  const name = options.quick ? "adaptation-quick" : "adaptation";
  const resultsPath = join(options.resultsDir, `${name}.json`);
  const previous = await readFile(resultsPath, "utf8").then((t) => (JSON.parse(t) as { rows: ResultRow[] }).rows).catch(() => [] as ResultRow[]);
  const wanted = new Set(options.scenarios.map((s) => s.name));
  const methodIds = new Set<string>(options.methods.map((k) => METHODS[k].id));
  // Rows of other scenarios and methods stay; the ones run now replace theirs.
  let rows = previous.filter((r) => !(wanted.has(r.scenario) && methodIds.has(r.method)));
  const server = await WorkerServer.start();
  const printer = progressPrinter();
  const begun = performance.now();
  const elapsed = () => {
    const s = Math.round((performance.now() - begun) / 1000);
    return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  };
  try {
    for (const [i, scenario] of options.scenarios.entries()) {
      const log = (message: string) => console.error(`[${elapsed()}] [${i + 1}/${options.scenarios.length} ${scenario.name}] ${message}`);
      const fresh = await runScenario(scenario, {
        quick: options.quick,
        methods: options.methods,
        workDir: options.workDir,
        server,
        log,
        onProgress: (e) => printer.update(e),
        llm: endpointConfigured(),
      });
      rows = sortRows([...rows.filter((r) => r.scenario !== scenario.name || !methodIds.has(r.method)), ...fresh]);
      await writeJsonAtomic(resultsPath, { rows });
    }
  } finally {
    await server.close();
  }
  await writeReport(rows, options.resultsDir, options.quick);
  return rows;
}

/** The markdown page and the charts, from result rows. */
export async function writeReport(rows: readonly ResultRow[], resultsDir: string, quick: boolean): Promise<void> {
  const name = quick ? "adaptation-quick" : "adaptation";
  const chartDir = join(resultsDir, name);
  await mkdir(chartDir, { recursive: true });
  const sorted = sortRows(rows);
  for (const [file, svg] of await charts(sorted)) await writeFileAtomic(join(chartDir, file), svg);
  await writeFileAtomic(join(resultsDir, `${name}.md`), resultsMarkdown(sorted, { quick, setup: SETUP }) + "\n");
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      scenario: { type: "string", default: "all" },
      methods: { type: "string", default: "a,b,c,d,e" },
      quick: { type: "boolean", default: false },
      work: { type: "string" },
      report: { type: "boolean", default: false },
    },
  });
  const resultsDir = join(REPO_ROOT, "bench", "results");
  if (values.report) {
    // Re-render the page and charts from the saved rows (e.g. after an interrupted run).
    const rows = (JSON.parse(await readFile(join(resultsDir, values.quick ? "adaptation-quick.json" : "adaptation.json"), "utf8")) as { rows: ResultRow[] }).rows;
    await writeReport(rows, resultsDir, values.quick!);
    return;
  }
  const all = await listScenarios();
  // In the order given: a long run does the scenarios that matter most first.
  const names = values.scenario === "all" ? all.map((s) => s.name) : values.scenario!.split(",").map((n) => n.trim());
  const unknown = names.filter((n) => !all.some((s) => s.name === n));
  if (unknown.length) throw new Error(`--scenario: unknown "${unknown.join(", ")}"; known: ${all.map((s) => s.name).join(", ")}, all`);
  const scenarios = names.map((n) => all.find((s) => s.name === n)!);
  const workDir = values.work ?? (await mkdtemp(join(tmpdir(), "pioneer-adaptation-")));
  console.error(`[adaptation] scenarios ${scenarios.map((s) => s.name).join(", ")}; methods ${values.methods}; ${values.quick ? "quick; " : ""}work ${workDir}`);
  await runBenchmark({ scenarios, methods: parseMethods(values.methods!), quick: values.quick!, workDir, resultsDir });
  const md = await readFile(join(REPO_ROOT, "bench", "results", values.quick ? "adaptation-quick.md" : "adaptation.md"), "utf8");
  console.log(md);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
