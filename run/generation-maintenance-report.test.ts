import { describe, expect, it } from "vitest";
import type { GenerationMaintenanceResult } from "./generation-maintenance.ts";
import { generationMaintenanceHtml } from "./generation-maintenance-report.ts";

const candidate = (strategy: "answer" | "rationale", id: string, dev: number, pass: boolean) => ({
  strategy, why: "planned", id, rows: 40, rejected: 0, train_s: 60, dev_exact_match: dev, dev_exact_match_ci: [dev - 0.1, dev + 0.1] as [number, number], regression_accuracy: 0.9,
  gain: { delta: dev - 0.2, low: dev - 0.3, high: dev - 0.1 }, flips: pass ? [] : ["q-3", "q-9"], pass, reasons: pass ? [] : ["2 regression flips > epsilon 1"],
});

describe("generationMaintenanceHtml", () => {
  it("draws the deployed model beside each candidate and lists every candidate's gate", async () => {
    const result = {
      kind: "generation", run_dir: "/runs/m1", parent: "v0003-aa", promoted: "v0005-cc", strategy: "rationale",
      before: { dev_exact_match: 0.2, dev_exact_match_ci: [0.1, 0.3], regression_accuracy: 0.92 }, after: { dev_exact_match: 0.5, dev_exact_match_ci: [0.4, 0.6], regression_accuracy: 0.9 },
      choice: "rationale gained the most and passed the gate",
      candidates: [candidate("answer", "v0004-bb", 0.3, false), candidate("rationale", "v0005-cc", 0.5, true)],
      not_tried: [], decisions: [], data: { failures_trained: 40, dev: 10, dev_from: "every 5th failure", regression: 50, replayed: 40, rationales: 40 }, epsilon: 1, memory: { recorded: 2, consulted: 0 }, wall_s: 300,
    } as unknown as GenerationMaintenanceResult;
    const html = await generationMaintenanceHtml("grade-school <math>", result);
    expect([...html.matchAll(/<figure class="plot" data-plot="([^"]+)"><svg/g)].map((m) => m[1])).toEqual(["candidates"]);
    expect(html).toContain("Promoted v0005-cc (targets: rationale) over v0003-aa for: grade-school &lt;math&gt;.");
    expect(html).toContain("<td>answer</td><td>v0004-bb</td><td>10.00</td><td>[0.00, 20.00]</td><td>2</td><td>no</td><td>2 regression flips &gt; epsilon 1</td>");
    expect(html).toContain("<td>v0003-aa (deployed)</td><td>v0003-aa</td><td>20.00</td><td>92.00</td><td></td>");
  });
});
