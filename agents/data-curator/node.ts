import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { classesOf, dataVersionDiff, dataVersionHash, type Example, groupBy, readExamples, writeExamplesJsonl } from "../../data/index.ts";
import { writeJsonAtomic } from "../../lib/atomic-write.ts";
import { inputText } from "../../memory/index.ts";
import { LabelIssue } from "../../tools/find-label-issues.ts";
import { MaintainInput } from "../../graph/maintain-input.ts";
import { parentTrainingData } from "../../graph/learnt-data.ts";
import { getRunContext } from "../../graph/run-context.ts";
import { predictExamples, readPredictions } from "../../graph/score-model.ts";
import type { MaintainStateType, MaintainUpdate } from "../../graph/state.ts";
import { nearestNeighbours, toMatrix } from "../diagnostician/knn.ts";
import { curate } from "./policy.ts";
import { CurationPlan } from "./schema.ts";

async function readIssues(path: string): Promise<Map<string, LabelIssue>> {
  const rows = (await readFile(path, "utf8")).split("\n").filter((l) => l.trim());
  const out = new Map<string, LabelIssue>();
  for (const row of rows) {
    const issue = LabelIssue.parse(JSON.parse(row));
    if (issue.id.startsWith("pool/")) out.set(issue.id.slice("pool/".length), issue);
  }
  return out;
}

/** 3. curate: a new content-hashed data version with a human-readable lineage entry. */
export async function dataCuratorNode(state: MaintainStateType): Promise<MaintainUpdate> {
  const input = MaintainInput.parse(state.input);
  const { task, files, diagnosis, parent } = state;
  if (!task || !files || !diagnosis || !parent) throw new Error("data curator needs intake and diagnosis first");
  const context = await getRunContext(input);
  const plan = CurationPlan.parse((state.next_plan?.curation as object | undefined) ?? {});
  const pool = (await readExamples(files.train, { kind: task.kind })).examples;
  const failures = (await readExamples(files.failures, { kind: task.kind })).examples;
  const regression = (await readExamples(files.regression, { kind: task.kind })).examples;
  const earlierGold = files.earlier_runs ? (await readExamples(files.earlier_runs, { kind: task.kind })).examples : [];

  // Hard negatives: for failures of a confusable pair A -> B, the pool's B examples most like them.
  const confusable = new Set(diagnosis.clusters.filter((c) => c.cause === "confusable_pair").map((c) => c.name));
  const predictions = await readPredictions(join(parent.predictions_dir, "failures.jsonl"));
  const hardNegativeIds: string[] = [];
  if (task.kind === "classification" && plan.hard_negatives_per_failure > 0 && confusable.size > 0) {
    const accepted = new Set(diagnosis.accepted);
    const targets = failures.filter((f) => "label" in f && accepted.has(f.id) && confusable.has(`${f.label} -> ${predictions.get(f.id)?.label}`));
    const byClass = groupBy<Example>(pool, (e) => classesOf(e)[0] ?? "");
    const queryVectors = await context.embedder.embed(targets.map((e) => inputText(e)));
    const matrices = new Map<string, ReturnType<typeof toMatrix>>(); // one per predicted class
    for (const [i, f] of targets.entries()) {
      const predicted = predictions.get(f.id)?.label ?? "";
      const candidates = byClass.get(predicted) ?? [];
      if (candidates.length === 0) continue;
      if (!matrices.has(predicted)) matrices.set(predicted, toMatrix(await context.embedder.embed(candidates.map((e) => inputText(e)))));
      for (const n of nearestNeighbours(queryVectors[i] ?? [], matrices.get(predicted)!, plan.hard_negatives_per_failure)) {
        hardNegativeIds.push(candidates[n.index]!.id);
      }
    }
  }

  // A trained model's confident opinion on the pool (a later round's second cleaning pass).
  let modelOpinions: Map<string, { label: string; confidence: number }> | undefined;
  if (task.kind === "classification" && plan.model_relabel_from !== "none") {
    const dir = plan.model_relabel_from === "parent" ? parent.dir : state.candidates.at(-1)?.model_dir;
    if (dir) {
      const opinions = await predictExamples(context.server, dir, pool);
      modelOpinions = new Map(opinions.map((o) => [o.id, { label: o.label, confidence: o.confidence }]));
    }
  }

  const result = curate({
    pool,
    poolIssues: await readIssues(diagnosis.label_issues_path),
    failures,
    accepted: new Set(diagnosis.accepted),
    regression,
    earlierGold,
    hardNegativeIds,
    ...(modelOpinions ? { modelOpinions } : {}),
    plan,
    seed: input.seed + state.round,
  });
  // The data the parent model was trained on, when a round of this run produced it.
  const parentData = parentTrainingData(state.candidates, state.data_versions, parent.id);
  const vsParentData = parentData ? dataVersionDiff((await readExamples(parentData.path, { kind: task.kind })).examples, result.examples) : null;
  const hash = dataVersionHash(result.examples);
  const dir = join(input.run_dir, "data");
  const path = join(dir, `${hash.slice(0, 16)}.jsonl`);
  await writeExamplesJsonl(path, result.examples);
  const parentHash = dataVersionHash(pool);
  await writeJsonAtomic(join(dir, `${hash.slice(0, 16)}.lineage.json`), {
    hash,
    parent_hash: parentHash,
    round: state.round,
    plan,
    ...result.lineage,
    vs_parent_data: vsParentData,
    changes: result.changes,
  });
  const source = (id: string) =>
    id.startsWith("failure/") || id.startsWith("earlier/") ? "failure" : id.startsWith("regression/") ? "replay" : result.changes.some((c) => c.id === id && c.action === "relabeled") ? "relabeled" : hardNegativeIds.includes(id) ? "hard_negative" : "original";
  await context.memory.addExamples(
    result.examples.map((e) => ({
      id: `${hash.slice(0, 16)}/${e.id}`,
      run_id: state.run_id,
      data_version: hash,
      input: inputText(e),
      label: "label" in e ? e.label : e.tags.join(" "),
      source: source(e.id),
    })),
  );
  return {
    data_versions: [{ hash, path, parent_hash: parentHash, round: state.round, lineage: result.lineage, vs_parent_data: vsParentData }],
    decisions: [{ agent: "data_curator", round: state.round, at: new Date().toISOString(), decision: { plan, data_version: hash.slice(0, 16), examples: result.examples.length, ...result.lineage, vs_parent_data: vsParentData } }],
  };
}
