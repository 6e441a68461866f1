import { mkdir, mkdtemp, readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { type TokenExample, writeExamplesJsonl } from "../data/index.ts";
import { TokenPredictionSchema, type TokenPrediction } from "../evals/types.ts";
import { tokenColdStartHtml } from "./report-html.ts";
import { writeFileAtomic, writeJsonAtomic } from "../lib/atomic-write.ts";
import { progressPrinter } from "../lib/progress-bar.ts";
import type { LlmDecider } from "../llm/decide.ts";
import { evaluateModel } from "../trainer/evaluate-model.ts";
import { buildZeroShotModel, predictFile, trainModel } from "../trainer/launcher.ts";
import type { ModelRegistry } from "../trainer/registry.ts";
import { registerCandidates } from "./register-candidates.ts";
import { type EntitySpec, offlineEntitySpec } from "./entity-spec.ts";
import { nearDuplicateDrops } from "./near-duplicates.ts";
import { pct, teacherSection } from "./report.ts";
import { newTeacherLog, type TeacherLog } from "./teacher.ts";
import { synthesizeSentences, teacherEntitySpec, teacherExtractions } from "./token-teacher.ts";
import { selectTokenPseudoLabels, type TrafficSentence } from "./token-pseudo-labels.ts";
import type { TrafficMessage } from "./unlabeled.ts";
import { type SentenceLineageRow, teacherLabeledTraffic, verifyWrittenSentences } from "./verify-sentences.ts";
import { withMemory } from "./with-memory.ts";
import { splitWords } from "./words.ts";

export interface TokenColdStartInput {
  task: string;
  /** The entity types (`--labels`), each with a definition when a labels file gives one. */
  types: readonly { name: string; definition?: string }[];
  seeds: TokenExample[];
  evalData: { path: string; examples: TokenExample[] } | null;
  traffic: TrafficMessage[] | null;
  /** Traffic sentences kept per entity type (and as many without an entity) in the first round. */
  pseudoPerType: number;
  /** The LLM teacher (definitions, sentences with entities, blind extractions); null: the offline path. */
  teacher: LlmDecider | null;
  /** Sentences the teacher writes per entity type (0: none). */
  synthesizePerType: number;
  /** The LanceDB memory the written sentences go to for the near-duplicate check (default <runDir>/memory). */
  memoryDir?: string;
  rounds?: number;
  target?: number;
  minutes?: number;
  model: string;
  runDir: string;
  registry: ModelRegistry;
  threads?: number;
}

type EntityScores = { f1?: number; precision?: number; recall?: number; n?: number };

interface TokenCandidate {
  /** seeds: the first student, on the seeds; synthesized: on the seeds and the teacher's verified
   * sentences; student: a self-training round's. */
  method: "zero-shot" | "seeds" | "synthesized" | "student";
  round: number;
  dir: string;
  metrics: EntityScores;
  data: TokenExample[];
  id?: string;
}

export interface TokenColdStartResult {
  kind: "token";
  promoted: string;
  model_dir: string;
  run_dir: string;
  method: TokenCandidate["method"];
  metrics: EntityScores;
  candidates: { method: string; round: number; id: string; metrics: EntityScores }[];
  stopped: string | null;
  evaluation: string;
  examples: Record<string, { kept: number; dropped: number }>;
  entity_similarity: number;
  teacher: { spec: EntitySpec["source"]; usage: TeacherLog["usage"]; calls: TeacherLog["calls"] } | null;
  wall_s: number;
}

/** A word is an entity of the zero-shot tagger's most similar type only when its state is at least
 * this similar to the type's prototype. Measured on 600 restaurant8k test sentences (entity F1):
 * with 5 seeds a type, 0.2: 15.2%, 0.3: 19.0%, 0.4: 22.2%, 0.5: 17.4%; from definitions alone (a
 * sentence embedding, a poor match for a word's state), 0.2: 6.8%, 0.3: 2.8%, 0.4: 1.0%. */
export const ENTITY_SIMILARITY = { seeded: 0.4, described: 0.2 } as const;

/** Traffic sentences self-training keeps per entity type (and as many without an entity) in the
 * first round; round r keeps r times as many. */
export const TOKEN_PSEUDO_LABELS_PER_TYPE = 40;

/** Optimizer steps every student takes at least: 25 seed sentences fill one batch, so a few epochs
 * would be a few steps (restaurant8k, 5 seeds a type, 600 test sentences: 40 steps 40.2% entity F1,
 * 100 steps 44.4% from the zero-shot tagger). */
const MIN_STEPS = 100;
const BATCH = 32;

/** Every n-th verified written sentence scores the candidates when no real labeled data is given
 * (and the report says such a score overstates real accuracy). */
const SYNTHETIC_HOLDOUT_EVERY = 5;

/** The candidate with the higher entity F1 (the earlier on a tie); unscored, the last. */
function chooseCandidate(candidates: readonly TokenCandidate[]): TokenCandidate {
  if (candidates.some((c) => c.metrics.f1 === undefined)) return candidates.at(-1)!;
  return candidates.reduce((best, c) => (c.metrics.f1! > best.metrics.f1! ? c : best));
}

async function predictSentences(modelDir: string, sentences: readonly TrafficSentence[], dir: string, by: string): Promise<Map<string, TokenPrediction>> {
  const input = join(dir, "traffic-words.jsonl");
  const output = join(dir, `traffic-${by}.jsonl`);
  await writeFileAtomic(input, sentences.map((s) => `${JSON.stringify({ id: s.id, tokens: s.tokens })}\n`).join(""));
  await predictFile(modelDir, input, output);
  return new Map((await readFile(output, "utf8")).split("\n").filter((l) => l.trim()).map((l) => {
    const p = TokenPredictionSchema.parse(JSON.parse(l));
    return [p.id, p] as const;
  }));
}

/**
 * A token task (entity extraction) from its description to a registered, promoted tagger, with no
 * key: the zero-shot tagger (each type's prototype from its seed words, else its definition), a
 * student fine-tuned on the seeds, and self-training on the traffic: the best tagger so far labels
 * it, its most confident sentences per type (and without entities) train the next student, with
 * more each round, while the entity F1 on --eval improves.
 *
 * Students start from the base encoder, not from the zero-shot tagger as classification students
 * do: its unit-length word features and identical B-X/I-X rows are a poor start for learning entity
 * boundaries (restaurant8k, 5 seeds a type, 100 steps: 44.4% entity F1 from the tagger, 62.3% from
 * the base encoder).
 */
export async function runTokenColdStart(input: TokenColdStartInput, log: (m: string) => void = (m) => console.error(m)): Promise<TokenColdStartResult> {
  const started = performance.now();
  const { runDir, seeds } = input;
  const dataDir = join(runDir, "data");
  await mkdir(dataDir, { recursive: true });
  const teacherLog = newTeacherLog();
  let spec: EntitySpec = offlineEntitySpec(input.task, input.types, seeds);
  if (input.teacher) spec = await teacherEntitySpec(input.teacher, spec, teacherLog);
  await writeJsonAtomic(join(runDir, "task-spec.json"), spec);
  log(`cold start (token task) in ${runDir}: ${spec.types.length} entity types, ${seeds.length} seed sentences, definitions by the ${spec.source === "llm" ? "LLM teacher" : "offline policy"}`);
  const typeNames = new Set(spec.types.map((t) => t.name));
  const lineage: SentenceLineageRow[] = seeds.map((e) => ({ id: e.id, source: "seed", tokens: e.tokens, tags: e.tags, kept: true, why: "a seed example (gold)" }));

  // The teacher's sentences: offsets checked and turned into BIO words, kept when its blind
  // extraction finds the same entities and they repeat no seed or earlier sentence (exactly, or
  // nearly through the LanceDB memory).
  let synthesized: TokenExample[] = [];
  if (input.teacher && input.synthesizePerType > 0) {
    const written = await synthesizeSentences(input.teacher, spec, { perType: input.synthesizePerType }, teacherLog);
    const found = await teacherExtractions(input.teacher, spec, written, teacherLog);
    const verified = verifyWrittenSentences(written, typeNames, seeds, found);
    const drops = verified.kept.length > 0 ? await withMemory(input.memoryDir ?? join(runDir, "memory"), input.threads, (memory) => nearDuplicateDrops(memory, basename(runDir), seeds, verified.kept)) : new Map();
    for (const row of verified.lineage) {
      const drop = drops.get(row.id);
      if (drop) Object.assign(row, { kept: false, why: `near-duplicate of ${drop.of} (cosine ${drop.similarity.toFixed(3)}, through the LanceDB memory)` });
    }
    lineage.push(...verified.lineage);
    synthesized = verified.kept.filter((e) => !drops.has(e.id));
    log(`synthesis: ${written.length} sentences written, ${synthesized.length} kept after the offsets check and the blind extraction`);
  }

  // With no real labeled data, a share of the written sentences scores the candidates.
  let evalData = input.evalData;
  let evaluation = evalData ? `real labeled data (${evalData.path})` : "none: no labeled data was given (--eval)";
  if (!evalData && synthesized.length >= SYNTHETIC_HOLDOUT_EVERY) {
    const heldOut = synthesized.filter((_, i) => i % SYNTHETIC_HOLDOUT_EVERY === SYNTHETIC_HOLDOUT_EVERY - 1);
    synthesized = synthesized.filter((_, i) => i % SYNTHETIC_HOLDOUT_EVERY !== SYNTHETIC_HOLDOUT_EVERY - 1);
    const path = join(dataDir, "synthetic-eval.jsonl");
    await writeExamplesJsonl(path, heldOut);
    evalData = { path, examples: heldOut };
    evaluation = `${heldOut.length} held-out written sentences: no real labeled data was given (--eval), and a synthetic evaluation overstates real accuracy`;
  }

  const tagSet = ["O", ...spec.types.flatMap((t) => [`B-${t.name}`, `I-${t.name}`])];
  const prototypes = [...seeds, ...synthesized];
  const entitySimilarity = prototypes.some((e) => e.tags.some((t) => t !== "O")) ? ENTITY_SIMILARITY.seeded : ENTITY_SIMILARITY.described;
  const zeroShotDir = (await buildZeroShotModel({
    kind: "token",
    out_dir: join(runDir, "models", "zero-shot"),
    labels: spec.types.map((t) => t.name),
    phrases: Object.fromEntries(spec.types.map((t) => [t.name, [t.definition, ...t.phrasings]])),
    examples: prototypes.map((e) => ({ tokens: e.tokens, tags: e.tags })),
    entity_similarity: entitySimilarity,
    model: input.model,
  })).modelDir;
  const evaluate = async (dir: string): Promise<EntityScores> => {
    if (!evalData) return {};
    const e = await evaluateModel(dir, { kind: "token", ...evalData }, await mkdtemp(join(runDir, "eval-")));
    if (e.kind !== "token") throw new Error(`${dir} is not a token model`);
    return { f1: e.metrics.f1, precision: e.metrics.precision, recall: e.metrics.recall, n: evalData.examples.length };
  };
  const candidates: TokenCandidate[] = [{ method: "zero-shot", round: 0, dir: zeroShotDir, metrics: await evaluate(zeroShotDir), data: seeds }];
  log(`zero-shot tagger: entity F1 ${pct(candidates[0]!.metrics.f1)}`);

  const gold = seeds.map((e) => ({ ...e, id: `seed/${e.id}`, weight: 2, stage: "seed (gold)" }));
  const train = async (method: TokenCandidate["method"], round: number, learnt: TokenExample[]): Promise<TokenCandidate> => {
    const data = [...learnt, ...gold];
    const name = method === "student" ? `student-round-${round}` : method;
    const trainPath = join(dataDir, `${name}-train.jsonl`);
    await writeExamplesJsonl(trainPath, data);
    const epochs = Math.max(3, Math.ceil(MIN_STEPS / Math.ceil(data.length / BATCH)));
    const printer = progressPrinter();
    const model = await trainModel(
      { kind: "token", train_path: trainPath, out_dir: join(runDir, "models", name), labels: tagSet, strategy: "full", epochs, learning_rate: 1e-4, batch_size: BATCH, seed: 0, ...(input.threads ? { threads: input.threads } : {}) },
      { onProgress: (e) => printer.update(e) },
    );
    const candidate: TokenCandidate = { method, round, dir: model.modelDir, metrics: await evaluate(model.modelDir), data };
    log(`${method === "student" ? `round ${round} student` : `student on the ${method === "seeds" ? "seeds" : "seeds and the written sentences"}`} (${data.length} sentences, ${epochs} epochs): entity F1 ${pct(candidate.metrics.f1)}`);
    return candidate;
  };
  if (synthesized.length > 0) candidates.push(await train("synthesized", 1, synthesized));
  else if (seeds.length > 0) candidates.push(await train("seeds", 1, []));

  // Self-training on the traffic: the best tagger so far labels it; its most confident sentences
  // join the pool, more each round.
  let stopped: string | null = null;
  let pool: TokenExample[] = [];
  const trafficDropped: SentenceLineageRow[] = [];
  const sentences: TrafficSentence[] = (input.traffic ?? []).map((m) => ({ id: m.id, tokens: splitWords(m.text) })).filter((s) => s.tokens.length > 0);
  const rounds = input.rounds ?? 1;
  for (let round = 1; input.traffic && round <= rounds; round++) {
    const best = chooseCandidate(candidates);
    const minutes = (performance.now() - started) / 60_000;
    if (round > 1 && !evalData) stopped = "no labeled data to judge a round by";
    else if (round > 1 && input.target !== undefined && (best.metrics.f1 ?? 0) >= input.target) stopped = `target ${input.target} reached`;
    else if (round > 1 && input.minutes !== undefined && minutes >= input.minutes) stopped = `budget of ${input.minutes} minutes spent`;
    if (stopped) break;
    const by = best.method === "zero-shot" ? "zero-shot" : `${best.method}-round-${best.round}`;
    const labels = await predictSentences(best.dir, sentences, dataDir, by);
    let added = selectTokenPseudoLabels(sentences, labels, { perType: input.pseudoPerType * round, by: `the ${best.method === "zero-shot" ? "zero-shot tagger" : "student"}`, exclude: new Set([...pool, ...trafficDropped].map((e) => e.id)) });
    if (input.teacher && added.length > 0) {
      // The tagger picks the sentences; the teacher, asked blind, labels them.
      const texts = new Map(input.traffic.map((m) => [`pseudo/${m.id}`, m.text]));
      const labeled = teacherLabeledTraffic(added, typeNames, await teacherExtractions(input.teacher, spec, added.map((e) => ({ id: e.id, text: texts.get(e.id)! })), teacherLog));
      log(`round ${round}: the teacher labeled ${labeled.kept.length} of the ${added.length} sentences the tagger picked (changing ${labeled.changed}), ${labeled.dropped.length} dropped`);
      trafficDropped.push(...labeled.dropped);
      added = labeled.kept;
    }
    if (added.length === 0) {
      stopped = `round ${round}: no new sentence to add`;
      break;
    }
    pool = [...pool, ...added.map((e) => ({ ...e, stage: `round ${round}: ${e.stage}` }))];
    const candidate = await train("student", round, [...synthesized, ...pool]);
    candidates.push(candidate);
    if (round > 1 && (candidate.metrics.f1 ?? 0) <= (best.metrics.f1 ?? 0)) {
      stopped = `round ${round} did not improve on the best so far (${best.method}, round ${best.round})`;
      break;
    }
  }
  if (!stopped && input.traffic && rounds > 1) stopped = `${rounds} rounds done`;
  lineage.push(...pool.map((e) => ({ id: e.id, source: "pseudo-label" as const, tokens: e.tokens, tags: e.tags, kept: true, why: e.stage ?? "" })), ...trafficDropped);
  await writeFileAtomic(join(dataDir, "lineage.jsonl"), lineage.map((r) => `${JSON.stringify(r)}\n`).join(""));

  await registerCandidates(input.registry, candidates, { task_kind: "token", labels: tagSet, base_model: input.model, task: input.task, hyperparameters: { task_spec: spec.source, students_from: "the base encoder" } });
  const winner = chooseCandidate(candidates);
  await input.registry.promote(winner.id!);
  const result: TokenColdStartResult = {
    kind: "token",
    promoted: winner.id!,
    model_dir: winner.dir,
    run_dir: runDir,
    method: winner.method,
    metrics: winner.metrics,
    candidates: candidates.map((c) => ({ method: c.method, round: c.round, id: c.id!, metrics: c.metrics })),
    stopped,
    evaluation,
    examples: {
      seeds: { kept: seeds.length, dropped: 0 },
      ...(input.teacher && input.synthesizePerType > 0 ? { synthesized: { kept: lineage.filter((r) => r.source === "synthesized" && r.kept).length, dropped: lineage.filter((r) => r.source === "synthesized" && !r.kept).length } } : {}),
      ...(input.traffic ? { pseudo_labels: { kept: pool.length, dropped: input.traffic.length - pool.length } } : {}),
    },
    entity_similarity: entitySimilarity,
    teacher: input.teacher ? { spec: spec.source, usage: teacherLog.usage, calls: teacherLog.calls } : null,
    wall_s: Number(((performance.now() - started) / 1000).toFixed(1)),
  };
  await writeJsonAtomic(join(runDir, "report.json"), { ...result, task_spec: spec });
  await writeFileAtomic(join(runDir, "report.md"), tokenColdStartReport(result, spec));
  await writeFileAtomic(join(runDir, "report.html"), await tokenColdStartHtml(result, spec.description));
  return result;
}

function tokenColdStartReport(result: TokenColdStartResult, spec: EntitySpec): string {
  return [
    `# Cold start ${result.promoted} (${result.method}, token task)`,
    "",
    `Task: ${spec.description}`,
    "",
    `Task spec: definitions by the ${spec.source === "llm" ? "LLM teacher" : "offline policy"}; each type's zero-shot prototype is its ${result.examples.synthesized ? "seed and written sentences'" : "seed"} words' states, else its definition (similarity ${result.entity_similarity} or more makes a word an entity).`,
    `Evaluation: ${result.evaluation}.`,
    "",
    "| candidate | version | entity F1 | precision | recall |",
    "|---|---|---|---|---|",
    ...result.candidates.map((c) => `| ${c.method}${c.method === "student" ? ` (round ${c.round})` : ""}${c.id === result.promoted ? " (promoted)" : ""} | ${c.id} | ${pct(c.metrics.f1)} | ${pct(c.metrics.precision)} | ${pct(c.metrics.recall)} |`),
    "",
    ...(result.stopped ? [`Rounds stopped: ${result.stopped}.`, ""] : []),
    `Kept per source: ${Object.entries(result.examples).map(([s, n]) => `${s} ${n.kept} kept, ${n.dropped} dropped`).join("; ")}. Every example's source and why it was kept or dropped: data/lineage.jsonl.`,
    "",
    "| type | definition | values (seeds first) |",
    "|---|---|---|",
    ...spec.types.map((t) => `| ${t.name} | ${t.definition.replace(/\|/g, "/")} | ${t.phrasings.slice(0, 5).join(", ").replace(/\|/g, "/")} |`),
    "",
    ...(result.teacher ? teacherSection(result.teacher) : []),
  ].join("\n");
}
