import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { failpoint } from "../../lib/failpoint.ts";
import { classesOf, type Example } from "../../data/index.ts";
import { type Prediction, predictedLabel, predictionConfidence } from "../../evals/types.ts";
import { ensureConfiguration } from "../../graph/configuration.ts";
import type { MaintainStateType, MaintainUpdate } from "../../graph/state.ts";
import { type FailureRecordInput, inputText } from "../../memory/index.ts";
import { goldOf } from "../../run/score-model.ts";
import { findLabelIssues, type LabelIssue } from "../../tools/find-label-issues.ts";
import { readModelDir } from "../../trainer/model-dir.ts";
import { decideStep } from "../../llm/step.ts";
import { spentTokens } from "../../llm/usage.ts";
import { nearestTrainingExamplesTool } from "../../tools/nearest-training-examples.ts";
import { similarPastFailuresTool } from "../../tools/similar-past-failures.ts";
import { applyClusterVerdicts, clusterVerdictViolation } from "./cluster-verdicts.ts";
import { type FailureInput, diagnose } from "./policy.ts";
import { DIAGNOSTICIAN_PROMPT } from "./prompts.ts";
import { ClusterVerdicts, type DiagnosisDecision, type FailureFinding } from "./schema.ts";

/** What the policy knows of one failure: its text, feedback, the deployed model's answer and
 * confident learning's finding. */
function failureInput(e: Example, p: Prediction | undefined, issue: LabelIssue | undefined): FailureInput {
  const predTags = p && "tags" in p ? p.tags : undefined;
  return {
    id: e.id,
    input: inputText(e),
    goldClasses: classesOf(e),
    predClasses: "label" in e ? [p ? predictedLabel(p) : "?"] : [...new Set((predTags ?? []).filter((t) => t !== "O").map((t) => t.slice(2)))],
    ...("tags" in e ? { goldTags: e.tags, predTags: predTags ?? [] } : {}),
    ...(p && "probs" in p && p.probs && "label" in e ? { goldProb: p.probs[e.label] ?? 0 } : {}),
    confidence: p ? predictionConfidence(p) : 0,
    ...(issue ? { labelIssue: issue } : {}),
  };
}

/** Clusters the LLM sees at most (largest first), and failures shown per cluster. */
const MAX_CLUSTERS = 30;
const FAILURES_PER_CLUSTER = 4;

/** What the LLM sees: the policy's clusters with a few failures each and their evidence. */
function clusterEvidence(policy: DiagnosisDecision, inputs: readonly FailureInput[]) {
  const byId = new Map(inputs.map((f) => [f.id, f]));
  return {
    clusters: policy.clusters.slice(0, MAX_CLUSTERS).map((c) => ({
      name: c.name,
      offline_cause: c.cause,
      size: c.size,
      fixable: c.fixable,
      failures: policy.findings.filter((f) => f.cluster === c.name).slice(0, FAILURES_PER_CLUSTER).map((f) => {
        const x = byId.get(f.id)!;
        return {
          id: f.id,
          text: x.input,
          feedback: x.goldClasses.join(", "),
          predicted: x.predClasses.join(", "),
          confidence: Number(x.confidence.toFixed(3)),
          ...(x.labelIssue ? { feedback_label_quality: Number(x.labelIssue.label_quality.toFixed(3)), suggested: x.labelIssue.suggested ?? null } : {}),
          offline_evidence: f.evidence,
        };
      }),
    })),
  };
}

/** A failure with its diagnosis, as memory keeps it. */
function failureRecord(f: FailureFinding, example: Example, p: Prediction | undefined, runId: string, modelVersion: string): FailureRecordInput {
  return {
    id: `${runId}/${f.id}`,
    run_id: runId,
    input: inputText(example),
    gold: goldOf(example),
    prediction: p ? predictedLabel(p) : "",
    confidence: p ? predictionConfidence(p) : null,
    cause: f.cause,
    cluster: f.cluster,
    model_version: modelVersion,
    stage: example.stage ?? "",
    fixable: f.fixable,
    accepted: f.accepted,
  };
}

/** 2. diagnose: confident learning over pool + failures, embeddings of both, then the policy names
 * each failure's cause and cluster; the failures go to memory with their diagnosis. */
export async function diagnosticianNode(state: MaintainStateType, config?: LangGraphRunnableConfig): Promise<MaintainUpdate> {
  const { input, task, files, parent } = state;
  if (!task || !files || !parent) throw new Error("diagnostician needs intake to have run first");
  const { resources, llm } = await ensureConfiguration(config, input);
  const run = resources.runFolder(input.run_dir, task.kind);
  const { pool, failures } = await run.inputs(files);

  // Gather. Confident learning: a failure's feedback label is judged against models that never saw
  // it, trained on everything else, on frozen features of the deployed model's base encoder (the
  // student's own representation, which has not memorised the pool's labels).
  const combined = [...pool.map((e) => ({ ...e, id: `pool/${e.id}` })), ...failures.map((e) => ({ ...e, id: `failure/${e.id}` }))] as Example[];
  const deployed = await readModelDir(parent.dir);
  const encoder = deployed.base_model;
  const issues = await findLabelIssues(
    { data_path: await run.writeDiagnosisInput(combined), kind: task.kind, model: encoder, out_path: run.labelIssuesPath, seed: input.seed },
    input.threads ? { threads: input.threads } : {},
  );
  const issueById = new Map(issues.map((i) => [i.id, i]));
  const failureVectors = await resources.embedder.embed(failures.map((e) => inputText(e)));
  const poolVectors = await resources.embedder.embed(pool.map((e) => inputText(e)));
  const predictions = await run.predictions(parent.predictions_dir, "failures");

  // Decide: the policy's diagnosis, and the LLM's verdicts on its clusters when the run has one.
  const inputs = failures.map((e) => failureInput(e, predictions.get(e.id), issueById.get(`failure/${e.id}`)));
  // The deployed model's own labels: a new intent the run may learn (--allow-new-labels) is still a
  // label that model has never seen, a coverage gap, however often its failures recur.
  const policy = diagnose({ kind: task.kind, labels: deployed.labels, oosLabel: task.oos_label, failures: inputs, failureVectors, pool: pool.map((e) => ({ id: e.id, classes: classesOf(e) })), poolVectors });
  const texts = new Map(inputs.map((f) => [f.id, f.input]));
  const judged = await decideStep(llm, spentTokens(state.llm_usage), {
    agent: "diagnostician",
    instructions: DIAGNOSTICIAN_PROMPT,
    data: clusterEvidence(policy, inputs),
    tools: [
      nearestTrainingExamplesTool(async () => ({
        pool: pool.map((e, i) => ({ id: e.id, text: inputText(e), label: goldOf(e), vector: poolVectors[i] ?? [] })),
        queries: new Map(failures.map((e, i) => [e.id, { id: e.id, text: inputText(e), label: goldOf(e), vector: failureVectors[i] ?? [] }])),
      })),
      similarPastFailuresTool(resources.memory, { excludeRunId: state.run_id }),
    ],
    schema: ClusterVerdicts,
    policy: () => ({ clusters: [] }),
    guard: (verdicts) => clusterVerdictViolation(verdicts, policy, texts),
  });
  const decision = applyClusterVerdicts(policy, judged.decision);

  // Write: every failure with its diagnosis to memory (similar ones of earlier runs looked up first).
  const past = await resources.memory.similarFailures(decision.summary, { k: 20, excludeRunId: state.run_id });
  const byId = new Map(failures.map((e) => [e.id, e]));
  await resources.memory.addFailures(decision.findings.map((f) => failureRecord(f, byId.get(f.id)!, predictions.get(f.id), state.run_id, parent.id ?? parent.dir)));
  failpoint("diagnosis");
  const counts: Record<string, number> = {};
  for (const f of decision.findings) counts[f.cause] = (counts[f.cause] ?? 0) + 1;
  return {
    ...(judged.usage.calls > 0 || judged.usage.wall_ms > 0 ? { llm_usage: { diagnostician: judged.usage } } : {}),
    diagnosis: {
      accepted: decision.findings.filter((f) => f.accepted).map((f) => f.id),
      rejected: decision.findings.filter((f) => !f.accepted).map((f) => ({ id: f.id, cause: f.cause })),
      clusters: decision.clusters,
      counts,
      summary: decision.summary,
      label_issues_path: run.labelIssuesPath,
      similar_past_failures: past.filter((p) => p.similarity >= 0.5).length,
    },
    decisions: [
      {
        agent: "diagnostician",
        round: state.round,
        at: new Date().toISOString(),
        decision: { counts, clusters: decision.clusters.slice(0, 10), summary: decision.summary, pool_label_issues: issues.filter((i) => i.id.startsWith("pool/") && i.is_issue).length, label_issues_encoder: encoder, llm_verdicts: judged.decision.clusters },
        mode: judged.mode,
        note: judged.note,
        retries: judged.retries,
      },
    ],
  };
}
