import { describe, expect, it } from "vitest";
import { generationColdStartHtml } from "./report-html.ts";

describe("generationColdStartHtml", () => {
  it("draws the target strategies' exact match with their intervals and escapes the task text", async () => {
    const html = await generationColdStartHtml(
      {
        promoted: "gen-2",
        strategy: "rationale",
        choice: "rationale beat answer by +40.00 points [31.0, 49.0]",
        evaluation: "--eval (100 questions)",
        candidates: [
          { strategy: "answer", id: "gen-1", exact_match: 0.04, exact_match_ci: [0.01, 0.08], rows: 300, rejected: 0, why: "the baseline", train_s: 120 },
          { strategy: "rationale", id: "gen-2", exact_match: 0.44, exact_match_ci: [0.35, 0.54], rows: 300, rejected: 3, why: "the data has rationales", train_s: 410 },
        ],
        comparisons: [{ strategy: "rationale", against: "answer", delta: 0.4, low: 0.31, high: 0.49 }],
      },
      "add <two> numbers",
    );
    expect([...html.matchAll(/<figure class="plot" data-plot="([^"]+)"><svg/g)].map((m) => m[1])).toEqual(["candidates"]);
    expect(html).toContain("Promoted gen-2 (rationale targets) for: add &lt;two&gt; numbers.");
    expect(html).toContain("<td>rationale</td><td>answer</td><td>40.00</td><td>[31.00, 49.00]</td>");
    expect(html).toContain("<td>gen-1</td><td>4.00</td><td>1.00</td><td>8.00</td><td></td>");
    expect(html).not.toMatch(/<script/i);
  });
});
