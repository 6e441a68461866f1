import { type Example, seededShuffle } from "../../data/index.ts";
import { inputsOf } from "../../run/earlier-runs.ts";
import { inputText } from "../../memory/index.ts";
import type { DataLineage } from "../../run/types.ts";
import type { LabelIssue } from "../../tools/find-label-issues.ts";
import { repairBio } from "../../data/bio.ts";
import type { Change, CurationPlan, SuspectVerdict } from "./schema.ts";

const HARD_NEGATIVE = "hard negative: near failures of a confusable pair or a new class";
const BROKEN_NEIGHBOUR = "neighbour of a regression example a rejected candidate broke";

export interface CurateInput {
  pool: readonly Example[];
  /** Confident-learning findings for pool examples, by (unprefixed) id. */
  poolIssues: ReadonlyMap<string, LabelIssue>;
  failures: readonly Example[];
  accepted: ReadonlySet<string>;
  regression: readonly Example[];
  /** Pool ids near the failures of confusable pairs (computed by the node from embeddings). */
  hardNegativeIds: readonly string[];
  /** Pool ids nearest the regression examples a candidate broke, of their label (plan.emphasize_ids). */
  anchorNeighbourIds?: readonly string[];
  /** Failures earlier runs on the model's lineage accepted as gold (run/earlier-runs.ts). */
  earlierGold?: readonly Example[];
  /** The LLM curator's verdicts on suspect pool examples, by id: they replace the cleaning rule
   * for those examples (classification). */
  suspectVerdicts?: ReadonlyMap<string, SuspectVerdict>;
  /** A trained model's label and confidence for pool examples (plan.model_relabel_from), by id. */
  modelOpinions?: ReadonlyMap<string, { label: string; confidence: number }>;
  plan: CurationPlan;
  seed: number;
}

export interface CurateResult {
  examples: Example[];
  changes: Change[];
  lineage: DataLineage;
}

/**
 * Token relabeling changes only entity types: a word whose tag and suggestion are both entity tags
 * takes the suggestion when it is likely enough. Suggested boundary changes (entity <-> O) are left
 * alone, because word-level confident learning is mostly wrong about them (see disputedEntityWord
 * in the diagnostician). Returns null when nothing qualifies.
 */
function retypeEntities(example: Example & { tags: string[] }, issue: LabelIssue, minProb: number): string[] | null {
  const tags = [...example.tags];
  let changed = false;
  for (const t of issue.token_issues ?? []) {
    const current = tags[t.index] ?? "O";
    if (current === "O" || t.suggested === "O" || t.suggested_prob < minProb) continue;
    const type = t.suggested.slice(2);
    // The whole entity takes the new type, keeping its B-/I- structure.
    let start = t.index;
    while (start > 0 && tags[start]!.startsWith("I-")) start--;
    let end = t.index + 1;
    while (end < tags.length && tags[end]!.startsWith("I-")) end++;
    for (let j = start; j < end; j++) tags[j] = `${j === start ? "B" : "I"}-${type}`;
    changed = true;
  }
  return changed ? repairBio(tags) : null;
}

/**
 * The offline data curator: a new data version from the parent's pool.
 *   (a) confident-learning suspects are relabeled to the suggested label when it is likely enough,
 *       otherwise dropped or downweighted (plan.clean; token tasks: only entity types are
 *       relabeled, and a sentence without a confident retyping is kept as it is); with
 *       plan.model_relabel_from, examples a trained model confidently disagrees with take that
 *       model's label first;
 *   (b) accepted failures join as gold, weighted, and so do the failures earlier runs on the
 *       model's lineage accepted; pool copies of those keep the accepted label, exempt from (a);
 *   (c) pool examples near a confusable pair's failures are upweighted as hard negatives;
 *   (d) the regression set is added as an anchor, and a share of the cleaned pool is replayed.
 * Every change is listed with its reason; counts and reasons form the lineage entry.
 */
export function curate(input: CurateInput): CurateResult {
  const { plan } = input;
  const changes: Change[] = [];
  // Pool examples that join upweighted whatever the replay share: hard negatives, then the
  // neighbours of the regression examples a candidate broke.
  const upweight = new Map<string, { weight: number; reason: string }>();
  for (const id of input.anchorNeighbourIds ?? []) upweight.set(id, { weight: plan.anchor_weight, reason: BROKEN_NEIGHBOUR });
  for (const id of input.hardNegativeIds) upweight.set(id, { weight: plan.hard_negative_weight, reason: HARD_NEGATIVE });
  const cleaned: Example[] = [];
  // What earlier runs accepted as gold is trusted: a pool copy (a pool that is an earlier run's data
  // version holds them) takes the accepted label and weight and is exempt from cleaning, which
  // otherwise "corrects" lessons the frozen-encoder cross-validation cannot yet reproduce.
  const taughtByInput = new Map((input.earlierGold ?? []).map((e) => [inputText(e), e]));
  const taughtIds = new Set<string>();
  for (const example of input.pool) {
    const taught = taughtByInput.get(inputText(example));
    if (taught) {
      taughtIds.add(example.id);
      const gold = "label" in taught ? { label: taught.label } : { tags: taught.tags };
      cleaned.push({ ...example, ...gold, weight: plan.failure_weight } as Example);
      const from = "label" in example ? example.label : example.tags.join(" ");
      const to = "label" in taught ? taught.label : taught.tags.join(" ");
      if (from !== to) changes.push({ id: example.id, action: "relabeled", from, to, reason: `earlier run ${taught.stage ?? "?"} accepted this label as gold` });
      continue;
    }
    const verdict = "label" in example ? input.suspectVerdicts?.get(example.id) : undefined;
    if (verdict && "label" in example) {
      if (verdict.action === "drop") changes.push({ id: example.id, action: "removed", from: example.label, reason: `curator: ${verdict.reason}` });
      else if (verdict.action === "relabel" && verdict.label && verdict.label !== example.label) {
        cleaned.push({ ...example, label: verdict.label });
        changes.push({ id: example.id, action: "relabeled", from: example.label, to: verdict.label, reason: `curator: ${verdict.reason}` });
      } else cleaned.push(example);
      continue;
    }
    const issue = input.poolIssues.get(example.id);
    const opinion = input.modelOpinions?.get(example.id);
    if ("label" in example && opinion && opinion.label !== example.label && opinion.confidence >= plan.model_relabel_min_prob) {
      cleaned.push({ ...example, label: opinion.label });
      changes.push({ id: example.id, action: "relabeled", from: example.label, to: opinion.label, reason: `the ${plan.model_relabel_from} model says "${opinion.label}" with p=${opinion.confidence.toFixed(2)}` });
      continue;
    }
    if (!issue?.is_issue || plan.clean === "none") {
      cleaned.push(example);
      continue;
    }
    if (plan.clean === "downweight") {
      cleaned.push({ ...example, weight: plan.suspect_weight });
      changes.push({ id: example.id, action: "downweighted", reason: `suspected label error (quality ${issue.label_quality.toFixed(2)}): kept at weight ${plan.suspect_weight}` });
      continue;
    }
    if ("label" in example) {
      const likely = plan.clean === "relabel" && issue.suggested !== undefined && (issue.suggested_prob ?? 0) >= plan.relabel_min_prob;
      if (likely && issue.suggested !== example.label) {
        cleaned.push({ ...example, label: issue.suggested! });
        changes.push({ id: example.id, action: "relabeled", from: example.label, to: issue.suggested!, reason: `out-of-fold p=${issue.suggested_prob?.toFixed(2)} for "${issue.suggested}", ${issue.label_quality.toFixed(2)} for the given label` });
      } else {
        changes.push({ id: example.id, action: "removed", from: example.label, reason: `suspected label error (quality ${issue.label_quality.toFixed(2)}), no confident replacement` });
      }
      continue;
    }
    if (plan.clean === "drop") {
      changes.push({ id: example.id, action: "removed", reason: "suspected tag errors" });
      continue;
    }
    const tags = retypeEntities(example, issue, plan.relabel_min_prob);
    cleaned.push(tags ? { ...example, tags } : example);
    if (tags) {
      changes.push({ id: example.id, action: "relabeled", from: example.tags.join(" "), to: tags.join(" "), reason: "entity type flagged by confident learning, a likelier type suggested" });
    }
  }

  const sampled = plan.replay_share >= 1 ? cleaned : seededShuffle(cleaned, input.seed).slice(0, Math.round(cleaned.length * plan.replay_share));
  // Earlier runs' lessons are replayed whatever the share: the gate holds candidates to them.
  const sampledIds = new Set(sampled.map((e) => e.id));
  const replayed = [...sampled, ...cleaned.filter((e) => taughtIds.has(e.id) && !sampledIds.has(e.id))];
  const keptIds = new Set(replayed.map((e) => e.id));
  const upweighted = (e: Example): Example => {
    const u = upweight.get(e.id)!;
    changes.push({ id: e.id, action: "upweighted", reason: u.reason });
    return { ...e, weight: u.weight };
  };
  const out: Example[] = replayed.map((e) => (upweight.has(e.id) ? upweighted(e) : e));
  // Upweighted examples the replay sample left out still join: they are the point of the round.
  for (const e of cleaned) {
    if (upweight.has(e.id) && !keptIds.has(e.id)) {
      out.push(upweighted(e));
      keptIds.add(e.id);
    }
  }
  const accepted = input.failures.filter((f) => input.accepted.has(f.id));
  for (const f of accepted) {
    out.push({ ...f, id: `failure/${f.id}`, weight: plan.failure_weight });
    changes.push({ id: `failure/${f.id}`, action: "added", to: "label" in f ? f.label : undefined, reason: "accepted production failure (gold feedback)" });
  }
  // Earlier runs' gold the pool does not hold joins as new examples.
  const poolInputs = inputsOf(input.pool);
  const earlier = (input.earlierGold ?? []).filter((e) => !poolInputs.has(inputText(e)));
  for (const e of earlier) {
    out.push({ ...e, weight: plan.failure_weight });
    changes.push({ id: e.id, action: "added", to: "label" in e ? e.label : undefined, reason: `accepted failure of earlier run ${e.stage ?? "?"}` });
  }
  const emphasized = new Set(plan.emphasize_ids);
  if (plan.anchor_regression) {
    for (const r of input.regression) {
      const plain = "tags" in r && r.tags.every((t) => t === "O");
      out.push({ ...r, id: `regression/${r.id}`, weight: emphasized.has(r.id) ? plan.emphasize_weight : plain ? plan.plain_anchor_weight ?? plan.anchor_weight : plan.anchor_weight });
    }
  }

  const relabeled = changes.filter((c) => c.action === "relabeled").length;
  const relabeledToTaught = changes.filter((c) => c.action === "relabeled" && taughtIds.has(c.id)).length;
  const removed = changes.filter((c) => c.action === "removed").length;
  const upweightedBy = (reason: string) => changes.filter((c) => c.action === "upweighted" && c.reason === reason).length;
  const hardNegatives = upweightedBy(HARD_NEGATIVE);
  const neighbours = upweightedBy(BROKEN_NEIGHBOUR);
  const downweighted = changes.filter((c) => c.action === "downweighted").length;
  const why = [
    relabeled > relabeledToTaught ? `${relabeled - relabeledToTaught} pool labels corrected: confident learning found a likelier label` : "",
    downweighted ? `${downweighted} suspected label errors kept at weight ${plan.suspect_weight}` : "",
    removed ? `${removed} pool examples dropped: suspected label errors without a confident replacement` : "",
    accepted.length ? `${accepted.length} accepted failures added as gold (weight ${plan.failure_weight})` : "",
    earlier.length ? `${earlier.length} failures earlier runs accepted added as gold (weight ${plan.failure_weight}): what those runs taught this model` : "",
    taughtIds.size ? `${taughtIds.size} pool examples earlier runs accepted as gold kept with that label (weight ${plan.failure_weight}${relabeledToTaught ? `; ${relabeledToTaught} relabeled back to it` : ""}), exempt from cleaning${plan.replay_share < 1 ? " and always replayed" : ""}` : "",
    hardNegatives ? `${hardNegatives} hard negatives upweighted (weight ${plan.hard_negative_weight}) near confusable pairs and new classes` : "",
    neighbours ? `${neighbours} pool examples nearest the broken regression examples, of their label, weighted ${plan.anchor_weight}` : "",
    plan.anchor_regression ? `${input.regression.length} regression examples added as anchors (weight ${plan.anchor_weight}${plan.plain_anchor_weight !== undefined ? `; ${plan.plain_anchor_weight} for sentences without entities` : ""})` : "",
    emphasized.size ? `${emphasized.size} regression examples a rejected candidate broke weighted ${plan.emphasize_weight}` : "",
    plan.replay_share < 1 ? `${keptIds.size} of ${cleaned.length} cleaned pool examples replayed (${Math.round(plan.replay_share * 100)}%${keptIds.size > replayed.length ? ", upweighted examples included" : ""})` : "",
  ].filter(Boolean);
  return {
    examples: out,
    changes,
    lineage: {
      added: accepted.length + earlier.length + (plan.anchor_regression ? input.regression.length : 0),
      removed: removed + (cleaned.length - keptIds.size),
      relabeled,
      replayed: keptIds.size,
      replay_share: plan.replay_share,
      why,
    },
  };
}
