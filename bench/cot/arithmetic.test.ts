import { describe, expect, it } from "vitest";
import { rationaleReachesAnswer } from "../../evals/answers.ts";
import { arithmeticProblems } from "./arithmetic.ts";

describe("arithmeticProblems", () => {
  it("is seeded, and every rationale computes its answer step by step", () => {
    const problems = arithmeticProblems(200, 7);
    expect(arithmeticProblems(200, 7)).toEqual(problems);
    expect(arithmeticProblems(5, 8)).not.toEqual(problems.slice(0, 5));
    for (const p of problems) {
      const lines = p.rationale!.split("\n");
      expect(lines).toHaveLength(3);
      for (const line of lines) {
        const [a, op, b, , c] = line.split(" ");
        const value = op === "+" ? Number(a) + Number(b) : op === "-" ? Number(a) - Number(b) : Number(a) * Number(b);
        expect(value).toBe(Number(c));
      }
      expect(rationaleReachesAnswer(p.rationale!, p.target, "number")).toBe(true);
      expect(Number(p.target)).toBeGreaterThan(0);
      expect(p.text).toMatch(/^\w+ has \d+ \w+\. (She|He) .+\. How many \w+ does \w+ have now\?$/);
    }
    expect(new Set(problems.map((p) => p.text)).size).toBeGreaterThan(190);
  });
});
