import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { classesOf, type Example, readExamples, writeExamplesJsonl } from "../../data/index.ts";
import { inputText } from "../../memory/index.ts";
import { findLabelIssues } from "../../tools/find-label-issues.ts";
import { readModelDir } from "../../trainer/model-dir.ts";
import { MaintainInput } from "../../graph/maintain-input.ts";
import { getRunContext } from "../../graph/run-context.ts";
import { readPredictions } from "../../graph/score-model.ts";
import type { MaintainStateType, MaintainUpdate } from "../../graph/state.ts";
import { type FailureInput, diagnose } from "./policy.ts";


/** 2. diagnose: embed failures and pool, run confident learning over both, name each failure's
 * cause and cluster, and remember the failures. */
export async function diagnosticianNode(state: MaintainStateType): Promise<MaintainUpdate> {
  const input = MaintainInput.parse(state.input);
  const task = state.task;
  const files = state.files;
  const parent = state.parent;
  if (!task || !files || !parent) throw new Error("diagnostician needs intake to have run first");
  const context = await getRunContext(input);
  const pool = (await readExamples(files.train, { kind: task.kind })).examples;
  const failures = (await readExamples(files.failures, { kind: task.kind })).examples;

  // Confident learning over pool + failures: a failure's feedback label is judged against models
  // that never saw it, trained on everything else.
  const dir = join(input.run_dir, "diagnosis");
  await mkdir(dir, { recursive: true });
  const combined = [
    ...pool.map((e) => ({ ...e, id: `pool/${e.id}` })),
    ...failures.map((e) => ({ ...e, id: `failure/${e.id}` })),
  ] as Example[];
  await writeExamplesJsonl(join(dir, "pool-and-failures.jsonl"), combined);
  const issuesPath = join(dir, "label-issues.jsonl");
  // The folds train on frozen features of the deployed model's base encoder: the student's own
  // representation, which has not seen (and memorised) the pool's labels.
  const { base_model: encoder } = await readModelDir(parent.dir);
  const issues = await findLabelIssues(
    { data_path: join(dir, "pool-and-failures.jsonl"), kind: task.kind, model: encoder, out_path: issuesPath, seed: input.seed },
    input.threads ? { threads: input.threads } : {},
  );
  const issueById = new Map(issues.map((i) => [i.id, i]));

  const [failureVectors, poolVectors] = [
    await context.embedder.embed(failures.map((e) => inputText(e))),
    await context.embedder.embed(pool.map((e) => inputText(e))),
  ];
  const predictions = await readPredictions(join(parent.predictions_dir, "failures.jsonl"));
  const failureInputs: FailureInput[] = failures.map((e) => {
    const p = predictions.get(e.id);
    const goldClasses = classesOf(e);
    const predTags = p?.tags;
    return {
      id: e.id,
      input: inputText(e),
      goldClasses,
      predClasses: "label" in e ? [p?.label ?? "?"] : [...new Set((predTags ?? []).filter((t) => t !== "O").map((t) => t.slice(2)))],
      ...("tags" in e ? { goldTags: e.tags, predTags: predTags ?? [] } : {}),
      ...(p?.probs && "label" in e ? { goldProb: p.probs[e.label] ?? 0 } : {}),
      confidence: p?.confidence ?? 0,
      ...(issueById.get(`failure/${e.id}`) ? { labelIssue: issueById.get(`failure/${e.id}`) } : {}),
    };
  });
  const decision = diagnose({
    kind: task.kind,
    labels: task.labels,
    oosLabel: task.oos_label,
    failures: failureInputs,
    failureVectors,
    pool: pool.map((e) => ({ id: e.id, classes: classesOf(e) })),
    poolVectors,
  });

  // Remember every failure with its diagnosis; look for similar ones from earlier runs first.
  const past = await context.memory.similarFailures(decision.summary, { k: 20, excludeRunId: state.run_id });
  const byId = new Map(failures.map((e) => [e.id, e]));
  await context.memory.addFailures(
    decision.findings.map((f) => {
      const example = byId.get(f.id)!;
      const p = predictions.get(f.id);
      return {
        id: `${state.run_id}/${f.id}`,
        run_id: state.run_id,
        input: inputText(example),
        gold: "label" in example ? example.label : example.tags.join(" "),
        prediction: p?.label ?? "",
        confidence: p?.confidence ?? null,
        cause: f.cause,
        cluster: f.cluster,
        model_version: parent.id ?? parent.dir,
        stage: example.stage ?? "",
        fixable: f.fixable,
        accepted: f.accepted,
      };
    }),
  );
  const counts: Record<string, number> = {};
  for (const f of decision.findings) counts[f.cause] = (counts[f.cause] ?? 0) + 1;
  return {
    diagnosis: {
      accepted: decision.findings.filter((f) => f.accepted).map((f) => f.id),
      rejected: decision.findings.filter((f) => !f.accepted).map((f) => ({ id: f.id, cause: f.cause })),
      clusters: decision.clusters,
      counts,
      summary: decision.summary,
      label_issues_path: issuesPath,
      similar_past_failures: past.filter((p) => p.similarity >= 0.5).length,
    },
    decisions: [
      {
        agent: "diagnostician",
        round: state.round,
        at: new Date().toISOString(),
        decision: { counts, clusters: decision.clusters.slice(0, 10), summary: decision.summary, pool_label_issues: issues.filter((i) => i.id.startsWith("pool/") && i.is_issue).length, label_issues_encoder: encoder },
      },
    ],
  };
}
