import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dataVersionHash } from "./data-version.ts";
import { readExamples } from "./read-examples.ts";
import { DATASETS, HAVE_DATASETS, makeTempDir, type TempDir } from "./test-helpers.ts";
import { writeExamplesJsonl } from "./write-examples.ts";

let tmp: TempDir;
beforeAll(async () => {
  tmp = await makeTempDir();
});
afterAll(async () => {
  await tmp.remove();
});

describe("writeExamplesJsonl", () => {
  it("writes one canonical object a line, keeping pred and stage", async () => {
    const path = join(tmp.path, "out", "canon.jsonl");
    await writeExamplesJsonl(path, [
      { stage: "seed", label: "x", text: "a", id: "1", weight: 2, pred: "y" },
      { tags: ["O"], tokens: ["b"], id: "2" },
    ]);
    expect(await readFile(path, "utf8")).toBe(
      '{"id":"1","text":"a","label":"x","weight":2,"pred":"y","stage":"seed"}\n{"id":"2","tokens":["b"],"tags":["O"]}\n',
    );
    expect(await readdir(join(tmp.path, "out"))).toEqual(["canon.jsonl"]); // no temp file left behind
  });

  it("replaces an existing file", async () => {
    const path = join(tmp.path, "replace.jsonl");
    await writeExamplesJsonl(path, [{ id: "1", text: "a", label: "x" }]);
    await writeExamplesJsonl(path, [{ id: "1", text: "a", label: "z" }]);
    expect(await readFile(path, "utf8")).toBe('{"id":"1","text":"a","label":"z"}\n');
  });

  it("round-trips a CSV file through JSONL with the same examples and data version", async () => {
    const csv = await readExamples(await tmp.write("round.csv", 'text,label,stage\n"a, b",x,seed\n"multi\nline",y,\n'));
    const out = join(tmp.path, "round.jsonl");
    await writeExamplesJsonl(out, csv.examples);
    const back = await readExamples(out);
    expect(back.examples).toEqual(csv.examples);
    expect(dataVersionHash(back.examples)).toBe(dataVersionHash(csv.examples));
  });

  it.skipIf(!HAVE_DATASETS)("round-trips WNUT17 dev", async () => {
    const dev = await readExamples(join(DATASETS, "wnut17/dev.jsonl"));
    const out = join(tmp.path, "wnut17-dev.jsonl");
    await writeExamplesJsonl(out, dev.examples);
    const back = await readExamples(out);
    expect(back.kind).toBe("token");
    expect(back.examples).toEqual(dev.examples);
    expect(dataVersionHash(back.examples)).toBe(dataVersionHash(dev.examples));
  });
});
