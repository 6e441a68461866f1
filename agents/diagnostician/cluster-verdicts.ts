import { garbledReason } from "./garbled.ts";
import { diagnosisSummary } from "./policy.ts";
import type { ClusterVerdicts, DiagnosisDecision } from "./schema.ts";

/** The hard rules an LLM's cluster verdicts must keep; null when they keep them, else why not.
 * Feedback judged wrong or garbled is never training data, and neither is a failure whose text reads
 * like instructions or is unlearnable, whatever any model says about it. */
export function clusterVerdictViolation(verdicts: ClusterVerdicts, policy: DiagnosisDecision, texts: ReadonlyMap<string, string>): string | null {
  const known = new Set(policy.clusters.map((c) => c.name));
  const seen = new Set<string>();
  for (const v of verdicts.clusters) {
    if (!known.has(v.name)) return `there is no cluster "${v.name}"`;
    if (seen.has(v.name)) return `cluster "${v.name}" is judged twice`;
    seen.add(v.name);
    if (v.accept && (v.cause === "wrong_feedback" || v.cause === "garbled_input")) return `cluster "${v.name}": feedback judged ${v.cause} cannot be accepted as gold`;
    if (v.accept && !v.fixable) return `cluster "${v.name}": accepted as gold but not fixable`;
    if (!v.accept) continue;
    for (const f of policy.findings.filter((x) => x.cluster === v.name)) {
      const garbled = garbledReason(texts.get(f.id) ?? "");
      if (garbled) return `cluster "${v.name}" holds failure ${f.id} (${garbled}), which is never training data`;
    }
  }
  return null;
}

/** The policy's diagnosis with the LLM's cluster verdicts applied to every failure of those
 * clusters (their evidence says who judged them). */
export function applyClusterVerdicts(policy: DiagnosisDecision, verdicts: ClusterVerdicts): DiagnosisDecision {
  if (verdicts.clusters.length === 0) return policy;
  const byName = new Map(verdicts.clusters.map((v) => [v.name, v]));
  const findings = policy.findings.map((f) => {
    const v = byName.get(f.cluster);
    return v ? { ...f, cause: v.cause, fixable: v.fixable, accepted: v.accept, evidence: `LLM: ${v.reason}` } : f;
  });
  const clusters = policy.clusters.map((c) => {
    const v = byName.get(c.name);
    return v ? { ...c, cause: v.cause, fixable: v.fixable } : c;
  });
  return { findings, clusters, summary: diagnosisSummary(findings, clusters) };
}
