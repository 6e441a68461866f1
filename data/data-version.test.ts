import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dataVersionDiff, dataVersionHash, entityTypes, labelSet } from "./data-version.ts";
import type { ClassificationExample, TokenDataset } from "./example.ts";
import { readExamples } from "./read-examples.ts";
import { DATASETS, HAVE_DATASETS, makeTempDir, type TempDir } from "./test-helpers.ts";

let tmp: TempDir;
beforeAll(async () => {
  tmp = await makeTempDir();
});
afterAll(async () => {
  await tmp.remove();
});

describe("dataVersionHash", () => {
  it("is the same for the same data in JSONL and CSV", async () => {
    const fromJsonl = await readExamples(
      await tmp.write(
        "same.jsonl",
        [
          '{"label": "greeting", "id": "a", "text": "Hello, world", "extra": 1}',
          '{"id": "b", "text": "She said \\"hi\\"\\nthen left", "label": "other", "weight": 2}',
        ].join("\n"),
      ),
    );
    const fromCsv = await readExamples(
      await tmp.write("same.csv", 'label,text,id,weight\ngreeting,"Hello, world",a,\nother,"She said ""hi""\nthen left",b,2\n'),
    );
    expect(fromCsv.examples).toEqual(fromJsonl.examples);
    expect(dataVersionHash(fromCsv.examples)).toBe(dataVersionHash(fromJsonl.examples));
    expect(dataVersionHash(fromJsonl.examples)).toMatch(/^[0-9a-f]{64}$/);
  });

  it("is the same for token data in JSONL and CSV", async () => {
    const a = await readExamples(await tmp.write("t.jsonl", '{"id":"s1","tokens":["New","York"],"tags":["B-loc","I-loc"]}\n'));
    const b = await readExamples(await tmp.write("t.csv", "id,tokens,tags\ns1,New York,B-loc I-loc\n"));
    expect(dataVersionHash(b.examples)).toBe(dataVersionHash(a.examples));
  });

  const base: ClassificationExample[] = [
    { id: "1", text: "hi", label: "greeting" },
    { id: "2", text: "bye", label: "farewell" },
  ];

  it("changes when a label, a text, an id or a weight changes, or the order does", () => {
    const h = dataVersionHash(base);
    const edit = (i: number, patch: Partial<ClassificationExample>) => base.map((e, j) => (j === i ? { ...e, ...patch } : e));
    expect(dataVersionHash(edit(1, { label: "greeting" }))).not.toBe(h);
    expect(dataVersionHash(edit(0, { text: "hi!" }))).not.toBe(h);
    expect(dataVersionHash(edit(0, { id: "9" }))).not.toBe(h);
    expect(dataVersionHash(edit(0, { weight: 1 }))).not.toBe(h);
    expect(dataVersionHash([...base].reverse())).not.toBe(h);
  });

  it("ignores predictions, stage and key order", () => {
    const h = dataVersionHash(base);
    expect(dataVersionHash(base.map((e) => ({ ...e, pred: "x", stage: "review" })))).toBe(h);
    expect(dataVersionHash(base.map((e) => ({ label: e.label, text: e.text, id: e.id })))).toBe(h);
  });

  it("pins the canonical form", () => {
    // printf '{"id":"1","text":"hi","label":"greeting"}\n' | sha256sum
    expect(dataVersionHash([{ label: "greeting", text: "hi", id: "1" }])).toBe(
      "8ede1cbea744a6f9c23c2226b406bd40549633b3f39e84cb7512e47cc897c50b",
    );
  });
});

describe("dataVersionDiff", () => {
  it("counts added, removed and changed examples by id, a weight change included", () => {
    const before: ClassificationExample[] = [
      { id: "a", text: "hi", label: "greeting" },
      { id: "b", text: "bye", label: "farewell" },
      { id: "c", text: "card?", label: "card" },
      { id: "d", text: "pin", label: "pin" },
    ];
    const after: ClassificationExample[] = [
      { id: "a", text: "hi", label: "greeting" },
      { id: "b", text: "bye", label: "greeting" },
      { id: "c", text: "card?", label: "card", weight: 2 },
      { id: "e", text: "new", label: "card" },
      { id: "f", text: "newer", label: "pin" },
    ];
    expect(dataVersionDiff(before, after)).toEqual({ added: 2, removed: 1, changed: 2, size: 5 });
    expect(dataVersionDiff(after, after)).toEqual({ added: 0, removed: 0, changed: 0, size: 5 });
  });
});

describe("labelSet and entityTypes", () => {
  const tokens: TokenDataset = {
    kind: "token",
    path: "x.jsonl",
    examples: [
      { id: "1", tokens: ["a", "b", "c"], tags: ["B-person", "I-person", "O"] },
      { id: "2", tokens: ["d", "e"], tags: ["B-corporation", "O"] },
    ],
  };

  it("lists sorted unique labels", () => {
    expect(
      labelSet({
        kind: "classification",
        path: "x.jsonl",
        examples: [
          { id: "1", text: "a", label: "b_label" },
          { id: "2", text: "b", label: "A_label" },
          { id: "3", text: "c", label: "b_label" },
        ],
      }),
    ).toEqual(["A_label", "b_label"]);
  });

  it("lists tags with O first, and entity types", () => {
    expect(labelSet(tokens)).toEqual(["O", "B-corporation", "B-person", "I-person"]);
    expect(entityTypes(tokens)).toEqual(["corporation", "person"]);
  });

  it.skipIf(!HAVE_DATASETS)("finds WNUT17's six entity types", async () => {
    const dataset = await readExamples(join(DATASETS, "wnut17/train.jsonl"));
    if (dataset.kind !== "token") throw new Error("expected token data");
    expect(entityTypes(dataset)).toEqual(["corporation", "creative-work", "group", "location", "person", "product"]);
    expect(labelSet(dataset)).toHaveLength(13);
    expect(labelSet(dataset)[0]).toBe("O");
  });
});
