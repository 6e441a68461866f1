import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { datasetPath } from "../data/shared-datasets.ts";
import { extractAnswer, normalizeNumber, rationaleReachesAnswer, renderTarget, sameAnswer } from "./answers.ts";

describe("answers", () => {
  it("normalises numbers as written", () => {
    expect(["$1,200.50", "+72", "72.0", "007", "-0.0", ".5", "-3.10"].map(normalizeNumber)).toEqual(["1200.5", "72", "72", "7", "0", "0.5", "-3.1"]);
    expect(normalizeNumber("seven")).toBeNull();
  });

  it("reads the number after the last ####, else the last number", () => {
    expect(extractAnswer("48/2 = 24 in May.\n48+24 = 72 in all.\n#### 72", "number")).toBe("72");
    expect(extractAnswer("She earns $1,000 a week, so 4 weeks give $4,000.", "number")).toBe("4000");
    expect(extractAnswer("#### about 12.50 dollars, not 13", "number")).toBe("12.5");
    expect(extractAnswer("no number here", "number")).toBeNull();
  });

  it("compares exact answers without case, spaces or a final full stop", () => {
    expect(sameAnswer("Thinking...\n####  Next   Tuesday.", "next tuesday", "exact")).toBe(true);
    expect(sameAnswer("#### 72", "72.00", "number")).toBe(true);
    expect(sameAnswer("#### 71", "72", "number")).toBe(false);
  });

  it("says whether a rationale reaches the gold answer by its last line", () => {
    expect(rationaleReachesAnswer("Reading 24 pages an hour...\nIt will take her 120/24 = 5 hours to read 120 pages.", "5", "number")).toBe(true);
    expect(rationaleReachesAnswer("48/2 = 24 clips in May.\n48+24 = 72 clips altogether.", "71", "number")).toBe(false);
    expect(renderTarget("72", "48+24 = 72 clips.\n")).toBe("48+24 = 72 clips.\n#### 72");
    expect(renderTarget(" 72 ")).toBe("#### 72");
  });

  it("finds GSM8K's clean rationales reaching their answers, all but a few", async () => {
    const rows = (await readFile(datasetPath("gsm8k", "train"), "utf8")).trim().split("\n").map((l) => JSON.parse(l) as { answer: string; rationale_clean: string; original_answer: string });
    const reached = rows.filter((r) => rationaleReachesAnswer(r.rationale_clean, r.answer, "number")).length;
    expect(rows.length).toBe(7473);
    expect(reached / rows.length).toBeGreaterThan(0.99);
    // The data set's own answer line reads back as the gold answer.
    expect(rows.filter((r) => sameAnswer(r.original_answer, r.answer, "number")).length).toBe(rows.length);
  });
});
