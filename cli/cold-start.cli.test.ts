import { existsSync } from "node:fs";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { beforeAll, describe, expect, it } from "vitest";
import { datasetPath } from "../data/shared-datasets.ts";
import { REPO_ROOT } from "../lib/repo-root.ts";

/** `pioneer cold-start` with no key and no training data: the zero-shot model from the description,
 * registered, promoted and usable by `eval`, on a real SNIPS slice. */
const TASK = "Route a voice assistant's requests. Users ask for the weather, book a restaurant table, add a song to a playlist, play music, rate a book, search for a creative work like a movie or a TV show, and search for screening events at cinemas.";
const LABELS = "AddToPlaylist,BookRestaurant,GetWeather,PlayMusic,RateBook,SearchCreativeWork,SearchScreeningEvent";
let dir: string;
let evalPath: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pioneer-cold-start-"));
  evalPath = join(dir, "eval.jsonl");
  const lines = (await readFile(datasetPath("snips", "test"), "utf8")).trim().split("\n");
  await writeFile(evalPath, `${lines.filter((_, i) => i % 10 === 0).join("\n")}\n`); // 70 examples, every intent
});

function pioneer(args: string[]) {
  return execa("node", [join(REPO_ROOT, "cli", "bin.js"), ...args], { reject: false, env: { PIONEER_REGISTRY: join(dir, "registry"), PIONEER_THREADS: "1" } });
}

describe("pioneer cold-start", () => {
  it("turns a description and a label set into a promoted zero-shot model that eval accepts", async () => {
    const runDir = join(dir, "run");
    const result = await pioneer(["cold-start", "--task", TASK, "--labels", LABELS, "--eval", evalPath, "--run-dir", runDir, "--json"]);
    expect(result.exitCode, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout.trim().split("\n").at(-1)!) as { promoted: string; metrics: { accuracy: number; n: number }; examples: Record<string, unknown> };
    expect(out.metrics.n).toBe(70);
    expect(out.metrics.accuracy).toBeGreaterThan(0.7); // seven intents: chance is 0.14
    expect(out.examples).toEqual({ seeds: { kept: 0, dropped: 0 } });
    const spec = JSON.parse(await readFile(join(runDir, "task-spec.json"), "utf8")) as { labels: { name: string; phrasings: string[] }[] };
    expect(spec.labels.find((l) => l.name === "RateBook")?.phrasings).toEqual(["rate a book"]);
    expect(await readFile(join(runDir, "report.md"), "utf8")).toContain("real labeled data");

    const models = await pioneer(["models", "list"]);
    expect(models.stdout).toContain(`* ${out.promoted}`);
    const evaluated = await pioneer(["eval", "--model", out.promoted, "--data", evalPath, "--json"]);
    expect(evaluated.exitCode, evaluated.stderr).toBe(0);
    expect((JSON.parse(evaluated.stdout) as { accuracy: number }).accuracy).toBeCloseTo(out.metrics.accuracy, 6);
  }, 180_000);

  it("with real unlabeled traffic, self-trains students round by round from the zero-shot model's confident labels and promotes the best", async () => {
    const traffic = join(dir, "traffic.jsonl");
    const lines = (await readFile(datasetPath("snips", "train"), "utf8")).trim().split("\n");
    await writeFile(traffic, lines.filter((_, i) => i % 40 === 0).map((l) => `${JSON.stringify({ text: (JSON.parse(l) as { text: string }).text })}\n`).join(""));
    const runDir = join(dir, "traffic-run");
    const result = await pioneer(["cold-start", "--task", TASK, "--labels", LABELS, "--unlabeled", traffic, "--pseudo-per-label", "15", "--rounds", "3", "--eval", evalPath, "--run-dir", runDir, "--json"]);
    expect(result.exitCode, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout.trim().split("\n").at(-1)!) as { promoted: string; stopped: string; candidates: { method: string; round: number; id: string; metrics: { accuracy: number } }[]; examples: { pseudo_labels: { kept: number; dropped: number } } };
    const [zeroShot, student] = out.candidates;
    expect([zeroShot?.method, student?.method, student?.round]).toEqual(["zero-shot", "student", 1]);
    expect(out.examples.pseudo_labels.kept + out.examples.pseudo_labels.dropped).toBe(Math.ceil(lines.length / 40));
    const lineage = (await readFile(join(runDir, "data", "lineage.jsonl"), "utf8")).trim().split("\n").map((l) => JSON.parse(l) as { why: string });
    expect(lineage.filter((r) => r.why.startsWith("pseudo-label (zero-shot margin")).length).toBeLessThanOrEqual(7 * 15);
    expect(lineage.filter((r) => r.why.startsWith("pseudo-label (zero-shot margin")).length).toBeGreaterThan(5 * 15);
    // Rounds go on while they improve: every round after the first but the last beat the one before it.
    const students = out.candidates.slice(1);
    expect(students.map((c) => c.round)).toEqual(students.map((_, i) => i + 1));
    for (let i = 1; i < students.length - 1; i++) expect(students[i]!.metrics.accuracy).toBeGreaterThan(students[i - 1]!.metrics.accuracy);
    expect(out.stopped).toMatch(/^(3 rounds done|round [23] did not improve on round [12]|round [23]: no new confident agreement in the traffic)$/);
    if (students.length > 1) expect(lineage.some((r) => r.why.startsWith("self-training round 2: pseudo-label (student margin"))).toBe(true);
    const best = out.candidates.reduce((a, c) => (c.metrics.accuracy > a.metrics.accuracy ? c : a));
    expect(out.promoted).toBe(best.id);
    // report.html beside report.md: the candidates side by side and the data per label, drawn.
    const html = await readFile(join(runDir, "report.html"), "utf8");
    expect([...html.matchAll(/<figure class="plot" data-plot="([^"]+)"><svg/g)].map((m) => m[1])).toEqual(["candidates", "data-per-label"]);
    for (const c of out.candidates) expect(html).toContain(`<td>${c.id}</td>`);
    expect(html).toContain(`Promoted ${out.promoted}`);
    expect(html).not.toMatch(/<script/i);
    const chain = await pioneer(["models", "lineage", out.candidates.at(-1)!.id]);
    for (const c of out.candidates) expect(chain.stdout).toContain(c.id); // each round the child of the one before
  }, 420_000);

  it("chooses the out-of-scope threshold on the labeled data it has, and the model it promotes predicts with it", async () => {
    const rows = (await readFile(datasetPath("clinc150", "dev"), "utf8")).trim().split("\n").map((l) => JSON.parse(l) as { text: string; label: string });
    const inScope = rows.filter((r) => r.label !== "oos").filter((_, i) => i % 25 === 0);
    const clincEval = join(dir, "clinc-eval.jsonl");
    await writeFile(clincEval, [...inScope, ...rows.filter((r) => r.label === "oos").slice(0, 30)].map((r) => `${JSON.stringify(r)}\n`).join(""));
    const labels = [...new Set(rows.map((r) => r.label))].filter((l) => l !== "oos").join(",");
    const task = "Answer what users ask a virtual assistant about banking, credit cards, work, travel, the car, the home, cooking and small talk; anything else is out of scope.";
    const runDir = join(dir, "clinc-run");
    const result = await pioneer(["cold-start", "--task", task, "--labels", labels, "--oos-label", "oos", "--eval", clincEval, "--run-dir", runDir, "--json"]);
    expect(result.exitCode, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout.trim().split("\n").at(-1)!) as { promoted: string; metrics: { accuracy: number; n: number }; oos_threshold: { threshold: number; chosen_on: string; accuracy_before: number; accuracy_after: number; oos_examples: number } };
    expect(out.oos_threshold.chosen_on).toBe("--eval");
    expect(out.oos_threshold.oos_examples).toBe(30);
    expect(out.oos_threshold.threshold).not.toBe(0.3);
    expect(out.oos_threshold.accuracy_after).toBeGreaterThan(out.oos_threshold.accuracy_before);
    // The threshold was chosen from the probabilities; the rebuilt model, predicting for real, scores what that choice promised.
    expect(Math.abs(out.metrics.accuracy - out.oos_threshold.accuracy_after)).toBeLessThanOrEqual(1 / out.metrics.n);
    expect(await readFile(join(runDir, "report.md"), "utf8")).toContain(`"oos" below similarity ${out.oos_threshold.threshold} to every label, chosen on --eval`);
  }, 180_000);

  it("refuses a seed whose label is not in the set, naming file, line and field, and writes nothing", async () => {
    const seeds = join(dir, "seeds.jsonl");
    await writeFile(seeds, `${JSON.stringify({ text: "play jazz", label: "PlayMusic" })}\n\n${JSON.stringify({ text: "weather?", label: "Weather" })}\n`);
    const runDir = join(dir, "refused");
    const result = await pioneer(["cold-start", "--task", TASK, "--labels", LABELS, "--examples", seeds, "--run-dir", runDir]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`${seeds}:3: field "label": "Weather" is not one of the task's labels`);
    expect(existsSync(runDir)).toBe(false);
  });
});
