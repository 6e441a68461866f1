import { readModelDir } from "../../trainer/model-dir.ts";
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { failpoint } from "../../lib/failpoint.ts";
import { type ClassificationExample, classesOf, dataVersionDiff, dataVersionHash, type Example, groupBy } from "../../data/index.ts";
import { predictedLabel } from "../../evals/types.ts";
import { ensureConfiguration } from "../../graph/configuration.ts";
import type { MaintainStateType, MaintainUpdate } from "../../graph/state.ts";
import { type ExampleSource, inputText, type WorkerEmbedder } from "../../memory/index.ts";
import { parentTrainingData } from "../../run/learnt-data.ts";
import { predictExamples } from "../../run/score-model.ts";
import type { LabelIssue } from "../../tools/find-label-issues.ts";
import { nearestNeighbours, toMatrix } from "../../memory/knn.ts";
import type { Decided } from "../../llm/decide.ts";
import { decideStep, type LlmRun } from "../../llm/step.ts";
import { NO_USAGE, spentTokens } from "../../llm/usage.ts";
import { nearestTrainingExamplesTool } from "../../tools/nearest-training-examples.ts";
import { curate } from "./policy.ts";
import { DATA_CURATOR_PROMPT } from "./prompts.ts";
import { type Change, CurationPlan, SuspectVerdicts } from "./schema.ts";
import { suspectVerdictViolation } from "./suspect-verdicts.ts";

/** For each target, the `perTarget` pool examples of the target's class most like its text: the hard
 * negatives of a failure (of the class the model wrongly answered), or the neighbours of a
 * regression example a candidate broke (of its own class). */
async function nearestOfClass(embedder: WorkerEmbedder, pool: readonly Example[], targets: { example: Example; cls: string }[], perTarget: number): Promise<string[]> {
  const ids: string[] = [];
  const byClass = groupBy<Example>(pool, (e) => classesOf(e)[0] ?? "");
  const queryVectors = await embedder.embed(targets.map((t) => inputText(t.example)));
  const matrices = new Map<string, ReturnType<typeof toMatrix>>(); // one per class
  for (const [i, { cls }] of targets.entries()) {
    const candidates = byClass.get(cls) ?? [];
    if (candidates.length === 0) continue;
    if (!matrices.has(cls)) matrices.set(cls, toMatrix(await embedder.embed(candidates.map((e) => inputText(e)))));
    for (const n of nearestNeighbours(queryVectors[i] ?? [], matrices.get(cls)!, perTarget)) ids.push(candidates[n.index]!.id);
  }
  return [...new Set(ids)];
}

/** Confident learning's findings on pool examples, by their unprefixed id. */
function poolIssuesOf(issues: ReadonlyMap<string, LabelIssue>): Map<string, LabelIssue> {
  return new Map([...issues].filter(([id]) => id.startsWith("pool/")).map(([id, issue]) => [id.slice("pool/".length), issue]));
}

/** Where a data version's example comes from, as memory records it. */
function sourceOf(changes: readonly Change[], hardNegativeIds: readonly string[]): (id: string) => ExampleSource {
  const relabeled = new Set(changes.filter((c) => c.action === "relabeled").map((c) => c.id));
  const hardNegatives = new Set(hardNegativeIds);
  return (id) =>
    id.startsWith("failure/") || id.startsWith("earlier/") ? "failure" : id.startsWith("regression/") ? "replay" : relabeled.has(id) ? "relabeled" : hardNegatives.has(id) ? "hard_negative" : "original";
}

/** Suspects the LLM sees at most, the least likely labels first. */
const MAX_SUSPECTS = 40;

/** The LLM's verdicts on the most suspect pool examples; none (the policy's rules) without an LLM
 * or for token tasks, whose word-level suspects the curator's LLM path does not cover. */
async function judgeSuspects(state: MaintainStateType, llm: LlmRun | null, embedder: WorkerEmbedder, pool: readonly Example[], issues: ReadonlyMap<string, LabelIssue>, confusions: Record<string, number>): Promise<Decided<SuspectVerdicts>> {
  const none = (): SuspectVerdicts => ({ suspects: [], focus_pairs: [] });
  if (!llm || state.task?.kind !== "classification") return { decision: none(), mode: "policy", note: null, retries: 0, usage: NO_USAGE };
  const suspects = pool
    .filter((e): e is ClassificationExample => "label" in e && issues.get(e.id)?.is_issue === true)
    .sort((a, b) => issues.get(a.id)!.label_quality - issues.get(b.id)!.label_quality)
    .slice(0, MAX_SUSPECTS);
  const shown = new Set(suspects.map((e) => e.id));
  const neighbourIndex = async () => {
    const vectors = await embedder.embed(pool.map((e) => inputText(e)));
    const embedded = pool.map((e, i) => ({ id: e.id, text: inputText(e), label: classesOf(e)[0] ?? "", vector: vectors[i] ?? [] }));
    return { pool: embedded, queries: new Map(embedded.filter((e) => shown.has(e.id)).map((e) => [e.id, e])) };
  };
  return decideStep(llm, spentTokens(state.llm_usage), {
    agent: "data_curator",
    instructions: DATA_CURATOR_PROMPT,
    data: {
      labels: state.task.labels,
      confusions: Object.entries(confusions).sort((a, b) => b[1] - a[1]).slice(0, 20).map(([pair, failures]) => ({ pair, accepted_failures: failures, offline_confusable: state.diagnosis?.clusters.some((c) => c.name === pair && c.cause === "confusable_pair") ?? false })),
      suspects: suspects.map((e) => {
        const issue = issues.get(e.id)!;
        return { id: e.id, text: e.text, label: e.label, label_quality: Number(issue.label_quality.toFixed(3)), suggested: issue.suggested ?? null, suggested_prob: issue.suggested_prob === undefined ? null : Number(issue.suggested_prob.toFixed(3)) };
      }),
    },
    tools: [nearestTrainingExamplesTool(neighbourIndex)],
    schema: SuspectVerdicts,
    policy: none,
    guard: (verdicts) => suspectVerdictViolation(verdicts, shown, new Set(state.task!.labels)),
  });
}

/** 3. curate: a new content-hashed data version, built by the policy from the round plan's curation,
 * with a human-readable lineage file and its examples in memory. */
export async function dataCuratorNode(state: MaintainStateType, config?: LangGraphRunnableConfig): Promise<MaintainUpdate> {
  const { input, task, files, diagnosis, parent } = state;
  if (!task || !files || !diagnosis || !parent) throw new Error("data curator needs intake and diagnosis first");
  const { resources, llm } = await ensureConfiguration(config, input);
  const run = resources.runFolder(input.run_dir, task.kind);
  const plan = state.next_plan?.curation ?? CurationPlan.parse({});

  // Gather: the inputs, the accepted failures' confusions, the LLM's verdicts on the most suspect
  // pool examples and the confusions it targets (classification), the hard negatives of the
  // confusable pairs, and a trained model's opinion of the pool (a later round's second cleaning pass).
  const { pool, failures, regression, earlierRuns } = await run.inputs(files);
  const predictions = await run.predictions(parent.predictions_dir, "failures");
  const accepted = new Set(diagnosis.accepted);
  const pairOf = (f: Example) => {
    const p = predictions.get(f.id);
    return `${"label" in f ? f.label : ""} -> ${p ? predictedLabel(p) : undefined}`;
  };
  const confusions: Record<string, number> = {};
  for (const f of failures) {
    if (!("label" in f) || !accepted.has(f.id)) continue;
    const pair = pairOf(f);
    confusions[pair] = (confusions[pair] ?? 0) + 1;
  }
  const poolIssues = poolIssuesOf(await run.labelIssues(diagnosis.label_issues_path));
  const judged = await judgeSuspects(state, llm, resources.embedder, pool, poolIssues, confusions);
  const confusable = new Set([...diagnosis.clusters.filter((c) => c.cause === "confusable_pair").map((c) => c.name), ...judged.decision.focus_pairs.map((p) => `${p.gold} -> ${p.predicted}`)]);
  // Failures of a class the deployed model does not have (out of scope, or a new intent) are
  // hard-negative targets too: the examples nearest them, of the intent the model wrongly answered,
  // get the weight that teaches the new boundary.
  const deployedLabels = new Set(state.baseline ? (await readModelDir(state.baseline.dir)).labels : task.labels);
  const newClass = (f: Example) => "label" in f && (f.label === task.oos_label || !deployedLabels.has(f.label));
  const targets = failures.filter((f) => "label" in f && accepted.has(f.id) && (confusable.has(pairOf(f)) || newClass(f))).map((example) => {
    const p = predictions.get(example.id);
    return { example, cls: p ? predictedLabel(p) : "" };
  });
  const classification = task.kind === "classification";
  const hardNegativeIds = classification && plan.hard_negatives_per_failure > 0 && targets.length > 0 ? await nearestOfClass(resources.embedder, pool, targets, plan.hard_negatives_per_failure) : [];
  // A repair anchors the regression examples a candidate broke with their nearest pool examples of
  // the same label: one example alone barely moves the boundary back.
  const emphasized = new Set(plan.emphasize_ids);
  const broken = regression.filter((r) => emphasized.has(r.id) && "label" in r).map((example) => ({ example, cls: classesOf(example)[0] ?? "" }));
  const anchorNeighbourIds = classification && plan.neighbours_per_emphasized > 0 && broken.length > 0 ? await nearestOfClass(resources.embedder, pool, broken, plan.neighbours_per_emphasized) : [];
  const opinionOf = plan.model_relabel_from === "parent" ? parent.dir : plan.model_relabel_from === "candidate" ? state.candidates.at(-1)?.model_dir : undefined;
  const opinions = task.kind === "classification" && opinionOf ? await predictExamples(resources.server, opinionOf, pool) : undefined;

  // Decide: the policy, with the LLM's verdicts in place of its cleaning rule for those examples.
  const result = curate({
    pool,
    poolIssues,
    suspectVerdicts: new Map(judged.decision.suspects.map((v) => [v.id, v])),
    failures,
    accepted,
    regression,
    earlierGold: earlierRuns,
    hardNegativeIds,
    anchorNeighbourIds,
    ...(opinions ? { modelOpinions: new Map(opinions.map((o) => [o.id, { label: predictedLabel(o), confidence: "confidence" in o ? o.confidence : 0 }])) } : {}),
    plan,
    seed: input.seed + state.round,
  });

  // Write: the data version and its lineage (with how it differs from the data the parent model was
  // trained on, when a round of this run produced it), and its examples to memory.
  const parentData = parentTrainingData(state.candidates, state.data_versions, parent.id);
  const vsParentData = parentData ? dataVersionDiff(await run.examples(parentData.path), result.examples) : null;
  const hash = dataVersionHash(result.examples);
  const parentHash = dataVersionHash(pool);
  const path = await run.writeDataVersion(hash, result.examples, { hash, parent_hash: parentHash, round: state.round, plan, ...result.lineage, vs_parent_data: vsParentData, changes: result.changes });
  failpoint("curation");
  const source = sourceOf(result.changes, hardNegativeIds);
  await resources.memory.addExamples(
    result.examples.map((e) => ({ id: `${hash.slice(0, 16)}/${e.id}`, run_id: state.run_id, data_version: hash, input: inputText(e), label: "label" in e ? e.label : e.tags.join(" "), source: source(e.id) })),
  );
  return {
    ...(judged.usage.calls > 0 || judged.usage.wall_ms > 0 ? { llm_usage: { data_curator: judged.usage } } : {}),
    data_versions: [{ hash, path, parent_hash: parentHash, round: state.round, lineage: result.lineage, vs_parent_data: vsParentData }],
    decisions: [{ agent: "data_curator", round: state.round, at: new Date().toISOString(), decision: { plan, data_version: hash.slice(0, 16), examples: result.examples.length, ...result.lineage, vs_parent_data: vsParentData, llm_verdicts: judged.decision.suspects, focus_pairs: judged.decision.focus_pairs }, mode: judged.mode, note: judged.note, retries: judged.retries }],
  };
}
