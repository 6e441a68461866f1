import { describe, expect, it } from "vitest";
import type { GenerationDataset } from "../data/index.ts";
import { rationaleOf } from "./self-rationales.ts";
import { describeRejected, trainingRows } from "./targets.ts";

const data: GenerationDataset = {
  kind: "generation",
  path: "train.jsonl",
  lines: [1, 2, 3],
  examples: [
    { id: "q1", text: "2 apples and 3 more?", target: "5", rationale: "2 + 3 = 5" },
    { id: "q2", text: "4 times 2?", target: "8", rationale: "4 * 2 = 9" },
    { id: "q3", text: "10 minus 7?", target: "3" },
  ],
};

describe("trainingRows", () => {
  it("renders answer targets for every example", () => {
    const { rows, rejected } = trainingRows(data, "answer", "number");
    expect(rows.map((r) => r.target)).toEqual(["#### 5", "#### 8", "#### 3"]);
    expect(rejected).toEqual([]);
  });

  it("rejects rationales that are missing or miss the gold answer, naming file, line and field", () => {
    const { rows, rejected } = trainingRows(data, "rationale", "number");
    expect(rows).toEqual([{ id: "q1", text: "2 apples and 3 more?", target: "2 + 3 = 5\n#### 5" }]);
    expect(rejected.map(describeRejected)).toEqual(['train.jsonl:2: field "rationale": its last line does not state the answer "8"', 'train.jsonl:3: field "rationale": no rationale']);
  });

  it("trains self targets on the student's own rationales, rejecting questions it never got right", () => {
    const own = new Map([["q3", "10 - 7 = 3"], ["q2", "4 + 4 = 8"]]);
    const { rows, rejected } = trainingRows(data, "self", "number", own);
    expect(rows.map((r) => [r.id, r.target])).toEqual([["q2", "4 + 4 = 8\n#### 8"], ["q3", "10 - 7 = 3\n#### 3"]]);
    expect(rejected.map(describeRejected)).toEqual(['train.jsonl:1: field "rationale": no sampled output of the student reached the answer']);
    expect(() => trainingRows(data, "self", "number")).toThrow(/sampled rationales/);
  });
});

describe("rationaleOf", () => {
  it("is the worked part before the answer line, empty for an answer alone", () => {
    expect(rationaleOf("2 + 3 = 5\n#### 5")).toBe("2 + 3 = 5");
    expect(rationaleOf("#### 5")).toBe("");
    expect(rationaleOf("five")).toBe("");
  });
});
