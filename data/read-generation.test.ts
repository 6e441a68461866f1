import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readExamples } from "./read-examples.ts";
import { readGenerationExamples } from "./read-generation.ts";
import { expectDataFileError, makeTempDir, type TempDir } from "./test-helpers.ts";

let tmp: TempDir;
beforeAll(async () => {
  tmp = await makeTempDir();
});
afterAll(async () => {
  await tmp.remove();
});

const jsonl = (...records: unknown[]) => records.map((r) => JSON.stringify(r)).join("\n") + "\n";

describe("readGenerationExamples", () => {
  it("reads {text, target} with an optional rationale, from JSONL and CSV", async () => {
    const path = await tmp.write("gen.jsonl", jsonl({ text: "2+3?", target: "5", rationale: "2+3 = 5" }, { id: 7, text: "4*4?", target: "16", weight: 2 }));
    const data = await readGenerationExamples(path);
    expect(data).toMatchObject({ kind: "generation", lines: [1, 2] });
    expect(data.examples).toEqual([{ id: "gen:1", text: "2+3?", target: "5", rationale: "2+3 = 5" }, { id: "7", text: "4*4?", target: "16", weight: 2 }]);
    const csv = await tmp.write("gen.csv", 'text,target,weight\n"What is 1,000 + 1?",1001,0.5\n');
    expect((await readGenerationExamples(csv)).examples).toEqual([{ id: "gen:2", text: "What is 1,000 + 1?", target: "1001", weight: 0.5 }]);
  });

  it("refuses an example without an output, an empty output and a record of another kind, naming file, line and field", async () => {
    const missing = await tmp.write("missing.jsonl", jsonl({ text: "a?", target: "a" }, { text: "b?", rationale: "b because" }));
    await expectDataFileError(readGenerationExamples(missing), { file: missing, line: 2, field: "target" }, "missing; every generation example needs its output");
    const empty = await tmp.write("empty.jsonl", jsonl({ text: "a?", target: "  " }));
    await expectDataFileError(readGenerationExamples(empty), { file: empty, line: 1, field: "target" }, "is only whitespace");
    const other = await tmp.write("other.jsonl", jsonl({ text: "a?", label: "x" }));
    await expectDataFileError(readGenerationExamples(other), { file: other, line: 1, field: null }, "this is a classification record");
    const dup = await tmp.write("dup.jsonl", jsonl({ id: "q", text: "a?", target: "a" }, { id: "q", text: "b?", target: "b" }));
    await expectDataFileError(readGenerationExamples(dup), { file: dup, line: 2, field: "id" }, 'duplicate id "q" (lines 1 and 2)');
  });

  it("is refused by the classification and token reader with a pointer to the generation kind", async () => {
    const path = await tmp.write("gen-as-cls.jsonl", jsonl({ text: "2+3?", target: "5" }));
    await expectDataFileError(readExamples(path), { file: path, line: 1, field: null }, "this is a generation record", "--kind generation");
  });
});
