import type { PreparedTargets } from "../generation/prepare-targets.ts";
import type { NotTried, StrategyDecision } from "../generation/strategy-search.ts";

type SelfSampled = NonNullable<PreparedTargets["self"]>;
import { pct, teacherSection } from "./report.ts";
import type { GenerationColdStartResult } from "./run-generation-cold-start.ts";

/** What a generation run's strategy search did beside its table: self-rationales sampled, the
 * strategies not tried and why, and every decision of what to try next, with who made it. */
export function searchLines(r: { candidates: readonly { self?: SelfSampled }[]; not_tried: readonly NotTried[]; decisions: readonly StrategyDecision[] }): string[] {
  return [
    ...r.candidates.filter((c) => c.self).map((c) => `\nSelf-rationales: ${c.self!.sampled} outputs sampled from ${c.self!.from} at temperature ${c.self!.temperature}, ${c.self!.reached} reached the gold answer, covering ${c.self!.questions} questions.`),
    ...(r.not_tried.length ? ["", "Not tried:", ...r.not_tried.map((n) => `- ${n.strategy}: ${n.why}`)] : []),
    "",
    "Decisions (what to try next, in order):",
    ...r.decisions.map((d, i) => `${i + 1}. ${d.next} by the ${d.mode === "llm" ? "LLM planner" : d.mode === "policy" ? "plan" : `plan (${d.mode}: ${d.note ?? ""})`}: ${d.why}`),
  ];
}

export const points = (x: number) => `${x >= 0 ? "+" : ""}${(x * 100).toFixed(1)}`;

/** The generation cold start's report: the plan, each strategy's evidence, the choice and why. */
export function generationColdStartReport(task: string, r: GenerationColdStartResult): string {
  return [
    `# Cold start ${r.promoted} (generation, targets: ${r.strategy})`,
    "",
    `Task: ${task}`,
    "",
    `Evaluation: ${r.evaluation}.`,
    `Memory: ${r.memory.consulted} similar past experiments consulted; ${r.memory.recorded} experiments recorded.`,
    `Rationales: ${r.rationales.data} training questions came with one${r.rationales.teacher ? `; the teacher wrote ${r.rationales.teacher.written} for the ${r.rationales.teacher.asked} without, ${r.rationales.teacher.reached} of which reach the gold answer (the others are rejected, not learnt)` : ""}.`,
    "",
    "## Target strategies tried",
    "",
    "| targets | model | training examples | rejected | exact match | 95% CI | train s | train tokens/s | generation tokens/s | why tried |",
    "|---|---|---|---|---|---|---|---|---|---|",
    ...r.candidates.map((c) => `| ${c.strategy} | ${c.id} | ${c.rows} | ${c.rejected} | ${pct(c.exact_match)} | ${pct(c.exact_match_ci[0])}-${pct(c.exact_match_ci[1])} | ${c.train_s} | ${c.train_tokens_per_s} | ${c.generated_tokens_per_s} | ${c.why.replace(/\|/g, "/")} |`),
    ...searchLines(r),
    "",
    "## Choice",
    "",
    `Promoted ${r.promoted} (targets: ${r.strategy}, exact match ${pct(r.exact_match)}): ${r.choice}.`,
    ...(r.comparisons.length ? ["", "| promoted | against | difference (points) | 95% paired interval |", "|---|---|---|---|", ...r.comparisons.map((c) => `| ${c.strategy} | ${c.against} | ${points(c.delta)} | ${points(c.low)} to ${points(c.high)} |`)] : []),
    "",
    `Wall time: ${r.wall_s} s.`,
    "",
    ...(r.teacher ? teacherSection(r.teacher) : []),
  ].join("\n");
}
