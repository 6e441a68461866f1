import { extractEntities } from "../../evals/entity-metrics.ts";
import type { LabelIssue } from "../../tools/find-label-issues.ts";
import { garbledReason } from "./garbled.ts";
import { labelShares, nearestNeighbours, toMatrix } from "../../memory/knn.ts";
import { type DiagnosisDecision, DiagnosisDecision as DiagnosisSchema, type FailureFinding } from "./schema.ts";

export interface FailureInput {
  id: string;
  /** The text (token tasks: tokens joined by spaces). */
  input: string;
  /** Classification: the feedback label. Token: the entity types in the feedback tags. */
  goldClasses: string[];
  /** Classification: the deployed model's label. Token: the entity types it predicted. */
  predClasses: string[];
  goldTags?: string[];
  predTags?: string[];
  /** The deployed model's probability of the feedback label (classification), if known. */
  goldProb?: number;
  confidence: number;
  labelIssue?: LabelIssue;
}

export interface DiagnoseInput {
  kind: "classification" | "token";
  labels: string[];
  oosLabel: string | null;
  failures: FailureInput[];
  failureVectors: number[][];
  /** The training pool: each example's classes (its label, or the entity types it contains). */
  pool: { id: string; classes: string[] }[];
  poolVectors: number[][];
  options?: DiagnoseOptions;
}

export interface DiagnoseOptions {
  /** Neighbours consulted per failure. */
  k?: number;
  /** A (gold, predicted) pair seen this often among failures is a confusable pair. */
  confusableMin?: number;
  /** Pool neighbours at least this similar and of the gold class count as coverage. */
  coverageSimilarity?: number;
  /** Below this neighbour share the feedback label is unsupported by the training data. */
  feedbackShareMax?: number;
}

function tokenCluster(goldTags: string[], predTags: string[]): string {
  const gold = extractEntities(goldTags);
  const pred = extractEntities(predTags);
  const key = (e: { start: number; end: number }) => `${e.start}:${e.end}`;
  const predBySpan = new Map(pred.map((e) => [key(e), e.type]));
  for (const g of gold) {
    const p = predBySpan.get(key(g));
    if (p === undefined) return `missed:${g.type}`;
    if (p !== g.type) return `confused:${g.type}->${p}`;
  }
  const goldSpans = new Set(gold.map(key));
  const spurious = pred.find((p) => !goldSpans.has(key(p)));
  return spurious ? `spurious:${spurious.type}` : "boundary";
}

/**
 * Token feedback is disputed when, at some word, it asserts an entity type that both the deployed
 * model and the out-of-fold models confidently replace by another entity type. Word-level
 * confident learning is imprecise (measured on WNUT-17 with 20% of entities corrupted: 20% of
 * flagged words were wrong), and most real token failures are entities the model missed, where the
 * model and the out-of-fold models both say O; so "O" suggestions never count as a dispute, and the
 * deployed model must agree with the suggestion.
 */
function disputedEntityWord(f: FailureInput): { word: string; gold: string; suggested: string; prob: number } | null {
  if (f.labelIssue?.is_issue !== true) return null;
  const words = f.input.split(" ");
  const entityTypeOf = (tag: string) => (tag === "O" ? null : tag.slice(2));
  for (const t of f.labelIssue.token_issues ?? []) {
    const gold = f.goldTags?.[t.index] ?? "O";
    const predicted = f.predTags?.[t.index] ?? "O";
    const [g, s, p] = [entityTypeOf(gold), entityTypeOf(t.suggested), entityTypeOf(predicted)];
    if (g && s && g !== s && p === s && t.suggested_prob >= 0.6) return { word: words[t.index] ?? "?", gold, suggested: t.suggested, prob: t.suggested_prob };
  }
  return null;
}

/**
 * The offline diagnostician: names every failure's cause from measurements, in this order —
 *   garbled_input   : the text is not learnable (see garbled.ts);
 *   out_of_scope    : the feedback label is the out-of-scope class (before wrong feedback, which a
 *                     class the training data lacks would always look like);
 *   wrong_feedback  : confident learning flags the feedback label (out-of-fold models disagree) and
 *                     the training pool's nearest neighbours give it little support, or a
 *                     near-duplicate in the pool carries the model's label instead;
 *   coverage_gap    : almost no similar training examples of the gold class (or a new label);
 *   confusable_pair : the same gold -> predicted pair recurs among failures (garbled input and
 *                     wrong feedback do not count towards it);
 *   model_error     : none of the above.
 * A "failure" the deployed model already gets right is kept as gold data (cluster "already right").
 * Wrong feedback and garbled input are neither fixable nor accepted as training data.
 */
export function diagnose(input: DiagnoseInput): DiagnosisDecision {
  const k = input.options?.k ?? 15;
  const confusableMin = input.options?.confusableMin ?? 3;
  const coverageSimilarity = input.options?.coverageSimilarity ?? 0.6;
  const feedbackShareMax = input.options?.feedbackShareMax ?? 0.2;
  const pool = toMatrix(input.poolVectors);
  const known = new Set(input.labels);

  const clusterOf = (f: FailureInput) =>
    input.kind === "token" ? tokenCluster(f.goldTags ?? [], f.predTags ?? []) : `${f.goldClasses[0] ?? "?"} -> ${f.predClasses[0] ?? "?"}`;
  const alreadyRight = (f: FailureInput) =>
    input.kind === "classification" ? f.goldClasses[0] === f.predClasses[0] : (f.goldTags ?? []).join(" ") === (f.predTags ?? []).join(" ");
  const make = (f: FailureInput, cause: FailureFinding["cause"], evidence: string, fixable: boolean): FailureFinding => ({
    id: f.id,
    cause,
    cluster: cause === "confusable_pair" || input.kind === "token" ? clusterOf(f) : `${cause}:${f.goldClasses[0] ?? "?"}`,
    fixable,
    accepted: fixable,
    evidence,
  });

  // First pass: garbled input, failures the model already gets right and wrong feedback are decided
  // on their own, and only the remaining (real) failures count towards a recurring pair.
  const screened = input.failures.map((f, i) => {
    const vector = input.failureVectors[i] ?? [];
    const neighbours = pool.n > 0 ? nearestNeighbours(vector, pool, k) : [];
    const shares = labelShares(neighbours, (j) => input.pool[j]?.classes.join("|") ?? "");
    const shareOf = (cls: string) => [...shares.entries()].filter(([key]) => key.split("|").includes(cls)).reduce((s, [, v]) => s + v, 0);
    const goldShare = Math.min(...(f.goldClasses.length ? f.goldClasses.map(shareOf) : [1]));
    const early = (): FailureFinding | null => {
      const garbled = garbledReason(f.input);
      if (garbled) return make(f, "garbled_input", garbled, false);
      if (alreadyRight(f)) {
        return { id: f.id, cause: "unknown", cluster: "already right", fixable: true, accepted: true, evidence: "the deployed model already gives the feedback label" };
      }
      // Out of scope before wrong feedback: the training data has no out-of-scope class, so the
      // out-of-fold models and the neighbours can never support that label.
      if (input.oosLabel !== null && f.goldClasses.includes(input.oosLabel)) {
        return make(f, "out_of_scope", `feedback says out-of-scope; the model answered "${f.predClasses[0] ?? "?"}"`, true);
      }
      const nearest = neighbours[0];
      const nearDuplicateDisagrees =
        nearest !== undefined &&
        nearest.similarity >= 0.95 &&
        input.kind === "classification" &&
        input.pool[nearest.index]?.classes[0] === f.predClasses[0] &&
        f.predClasses[0] !== f.goldClasses[0];
      const flagged =
        f.labelIssue?.is_issue === true &&
        input.kind === "classification" &&
        (f.labelIssue.suggested === undefined || !f.goldClasses.includes(f.labelIssue.suggested));
      const byDuplicate = nearDuplicateDisagrees && (f.goldProb ?? 0) < 0.1;
      const disputed = input.kind === "token" ? disputedEntityWord(f) : null;
      if ((flagged && goldShare < feedbackShareMax) || byDuplicate || disputed) {
        const why = byDuplicate
          ? `a near-duplicate training example (similarity ${nearest?.similarity.toFixed(2)}) is labeled "${f.predClasses[0]}"`
          : disputed
            ? `the feedback tags "${disputed.word}" ${disputed.gold}; the deployed model and out-of-fold models (p=${disputed.prob.toFixed(2)}) both say ${disputed.suggested}`
            : `out-of-fold models give the feedback label ${f.labelIssue?.label_quality.toFixed(2)}; ${(goldShare * 100).toFixed(0)}% of ${neighbours.length} nearest training examples share it`;
        return make(f, "wrong_feedback", why, false);
      }
      return null;
    };
    return { neighbours, goldShare, finding: early() };
  });
  const pairCounts = new Map<string, number>();
  input.failures.forEach((f, i) => {
    if (!screened[i]?.finding) pairCounts.set(clusterOf(f), (pairCounts.get(clusterOf(f)) ?? 0) + 1);
  });

  const findings: FailureFinding[] = input.failures.map((f, i) => {
    const { neighbours, goldShare, finding } = screened[i]!;
    if (finding) return finding;
    const cluster = clusterOf(f);
    const unknownGold = f.goldClasses.filter((c) => input.kind === "classification" && !known.has(c));
    const covering = neighbours.filter((n) => n.similarity >= coverageSimilarity && f.goldClasses.some((c) => input.pool[n.index]?.classes.includes(c))).length;
    if (unknownGold.length) return make(f, "coverage_gap", `"${unknownGold[0]}" is a label the model has never seen`, true);
    if ((pairCounts.get(cluster) ?? 0) >= confusableMin) {
      return make(f, "confusable_pair", `${pairCounts.get(cluster)} failures share the pattern ${cluster}`, true);
    }
    if (covering < 2 && f.goldClasses.length > 0) {
      return make(f, "coverage_gap", `${covering} training examples of "${f.goldClasses.join(", ")}" within similarity ${coverageSimilarity}`, true);
    }
    return make(f, "model_error", `${(goldShare * 100).toFixed(0)}% neighbour support for the feedback label; model confidence ${f.confidence.toFixed(2)}`, true);
  });

  const clusters = new Map<string, { name: string; cause: FailureFinding["cause"]; size: number; fixable: boolean }>();
  for (const f of findings) {
    const entry = clusters.get(f.cluster) ?? { name: f.cluster, cause: f.cause, size: 0, fixable: f.fixable };
    entry.size += 1;
    clusters.set(f.cluster, entry);
  }
  const sorted = [...clusters.values()].sort((a, b) => b.size - a.size || a.name.localeCompare(b.name));
  return DiagnosisSchema.parse({ findings, clusters: sorted, summary: diagnosisSummary(findings, sorted) });
}

/** One paragraph: the causes and the largest clusters (memory looks up past strategies by it). */
export function diagnosisSummary(findings: readonly FailureFinding[], clusters: readonly { name: string; size: number }[]): string {
  const counts = new Map<string, number>();
  for (const f of findings) counts.set(f.cause, (counts.get(f.cause) ?? 0) + 1);
  return (
    `${findings.length} failures: ` +
    [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c} ${n}`).join(", ") +
    `. Largest clusters: ` +
    clusters.slice(0, 8).map((c) => `${c.name} x${c.size}`).join("; ")
  );
}
