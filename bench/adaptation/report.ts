import type { ResultRow } from "./run-scenario.ts";
import { renderSvg, seriesLines, signedHeatmap } from "../../evals/plots.ts";

const pct = (v: number) => (v * 100).toFixed(2);
const signed = (v: number) => `${v >= 0 ? "+" : ""}${(v * 100).toFixed(2)}`;

function byScenario(rows: readonly ResultRow[]): Map<string, ResultRow[]> {
  const out = new Map<string, ResultRow[]>();
  for (const r of rows) out.set(r.scenario, [...(out.get(r.scenario) ?? []), r]);
  return out;
}

/** A deployed Pioneer model beyond the default flip budget (epsilon = 2) on the golden set. */
const gateViolation = (r: ResultRow) => r.method === "pioneer" && r.stage > 0 && r.retrains > 0 && r.flips > 2;

const methodsOf = (rows: readonly ResultRow[]) => [...new Set(rows.map((r) => r.method))];
const finalRow = (rows: readonly ResultRow[], method: string) => rows.filter((r) => r.method === method).at(-1);

/** Per scenario and method, the last stage against the start, plus the whole-run costs. */
export function summaryTable(rows: readonly ResultRow[]): string {
  const lines = [
    "| scenario | method | start | final | change | worst regression | final gate flips | gate violations | retrains | wall | train ex/s |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const [scenario, group] of byScenario(rows)) {
    for (const method of methodsOf(group)) {
      const mine = group.filter((r) => r.method === method);
      const last = mine.at(-1)!;
      if (last.skipped) {
        lines.push(`| ${scenario} | ${method} | ${pct(mine[0]!.metric)} | ${last.skipped} | | | | | | | |`);
        continue;
      }
      const worst = mine.reduce((w, r) => (r.worst_regression > w.worst_regression ? r : w), mine[0]!);
      const stages = mine.filter((r) => r.stage > 0);
      const violations = stages.filter(gateViolation).length;
      const speeds = stages.map((r) => r.train_examples_per_s).filter((v): v is number => v !== null);
      lines.push(
        `| ${scenario} | ${method} | ${pct(mine[0]!.metric)} | ${pct(last.metric)} | ${signed(last.change)} | ${(worst.worst_regression * 100).toFixed(1)}% (${worst.worst_regression_set}) | ${last.flips} / ${last.regression_n} | ${method === "pioneer" ? violations : "n/a (ungated)"} | ${stages.reduce((s, r) => s + r.retrains, 0)} | ${stages.reduce((s, r) => s + r.wall_s, 0)} s | ${speeds.length ? Math.round(speeds.reduce((s, v) => s + v, 0) / speeds.length) : "-"} |`,
      );
    }
  }
  return lines.join("\n");
}

/** Every scenario, stage and method. */
export function stageTable(rows: readonly ResultRow[]): string {
  return [
    "| scenario | stage | poison | method | metric | change | worst regression | gate flips | retrains | wall | train ex/s | notes |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ...rows.map((r) =>
      r.skipped
        ? `| ${r.scenario} | ${r.stage} | ${Math.round(r.poison_rate * 100)}% | ${r.method} | ${r.skipped} | | | | | | | |`
        : `| ${r.scenario} | ${r.stage} | ${Math.round(r.poison_rate * 100)}% | ${r.method} | ${pct(r.metric)} | ${signed(r.change)} | ${(r.worst_regression * 100).toFixed(1)}% | ${r.flips} / ${r.regression_n} | ${r.retrains} | ${r.wall_s} s | ${r.train_examples_per_s ?? "-"} | ${r.notes.join("; ").replace(/\|/g, "/")} |`,
    ),
  ].join("\n");
}

/** Whether Pioneer met the benchmark's targets, scenario by scenario, in words. */
export function targetCheck(rows: readonly ResultRow[]): string[] {
  const out: string[] = [];
  for (const [scenario, group] of byScenario(rows)) {
    const pioneer = finalRow(group, "pioneer");
    if (!pioneer) continue;
    const naive = finalRow(group, "naive");
    const violations = group.filter(gateViolation).length;
    const checks = [
      pioneer.change >= 0 ? "at or above its start" : `BELOW its start (${signed(pioneer.change)})`,
      naive ? (pioneer.metric > naive.metric ? `above naive (${signed(pioneer.metric - naive.metric)})` : `NOT above naive (${signed(pioneer.metric - naive.metric)})`) : "naive not run",
      violations === 0 ? "no gate violations" : `${violations} gate violations`,
    ];
    out.push(`- ${scenario}: Pioneer ends ${checks.join(", ")}.`);
  }
  return out;
}

/** The charts: one line chart per scenario (metric per stage per method) and the heat-map of final
 * changes (scenario x method). File name -> SVG text. */
export async function charts(rows: readonly ResultRow[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const scenarios = byScenario(rows);
  for (const [scenario, group] of scenarios) {
    const stages = [...new Set(group.map((r) => r.stage))].sort((a, b) => a - b);
    const series = methodsOf(group).map((method) => ({
      name: method,
      values: stages.map((s) => {
        const r = group.find((x) => x.method === method && x.stage === s);
        return r && !r.skipped ? r.metric : null;
      }),
    }));
    out.set(
      `${scenario}.svg`,
      await renderSvg(seriesLines({ title: `${scenario}: ${group[0]!.metric_name} per stage`, xLabels: stages.map((s) => (s === 0 ? "start" : `stage ${s}`)), yLabel: `${group[0]!.metric_name} (%)`, series })),
    );
  }
  const methods = methodsOf(rows);
  out.set(
    "final-change.svg",
    await renderSvg(signedHeatmap({
      title: "Final change from the start (points)",
      rows: [...scenarios.keys()],
      cols: methods,
      values: [...scenarios.values()].map((group) => methods.map((m) => {
        const last = finalRow(group, m);
        return last && !last.skipped ? last.change : null;
      })),
      format: signed,
    })),
  );
  return out;
}

/** The markdown results page; chart links are relative to bench/results/. */
export function resultsMarkdown(rows: readonly ResultRow[], options: { quick: boolean; setup: string[] }): string {
  const scenarios = [...byScenario(rows).keys()];
  return [
    `# Adaptation benchmark${options.quick ? " (quick)" : ""}`,
    "",
    summaryTable(rows),
    "",
    ...targetCheck(rows),
    "",
    ...options.setup,
    "",
    `![final change per scenario and method](adaptation${options.quick ? "-quick" : ""}/final-change.svg)`,
    "",
    ...scenarios.map((s) => `![${s}](adaptation${options.quick ? "-quick" : ""}/${s}.svg)`),
    "",
    "<details><summary>Every stage</summary>",
    "",
    stageTable(rows),
    "",
    "</details>",
  ].join("\n");
}
