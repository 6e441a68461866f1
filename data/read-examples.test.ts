import { chmod, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { labelSet } from "./data-version.ts";
import { readExamples } from "./read-examples.ts";
import { DATASETS, HAVE_DATASETS, expectDataFileError, makeTempDir, type TempDir } from "./test-helpers.ts";

let tmp: TempDir;
beforeAll(async () => {
  tmp = await makeTempDir();
});
afterAll(async () => {
  await tmp.remove();
});

const jsonl = (...records: unknown[]) => records.map((r) => (typeof r === "string" ? r : JSON.stringify(r))).join("\n") + "\n";

describe.skipIf(!HAVE_DATASETS)("readExamples on the shared data sets", () => {
  it("reads banking77/train.jsonl: 10003 classification examples, 77 intents", async () => {
    const path = join(DATASETS, "banking77/train.jsonl");
    const dataset = await readExamples(path);
    expect(dataset.kind).toBe("classification");
    expect(dataset.path).toBe(path);
    expect(dataset.examples).toHaveLength(10003); // wc -l
    expect(dataset.examples[0]).toEqual({ id: "train:1", text: "I am still waiting on my card?", label: "card_arrival" });
    expect(dataset.examples.at(-1)?.id).toBe("train:10003");
    expect(labelSet(dataset)).toHaveLength(77);
  });

  it("reads wnut17/train.jsonl as token examples", async () => {
    const dataset = await readExamples(join(DATASETS, "wnut17/train.jsonl"), { idPrefix: "wnut17-train" });
    expect(dataset.kind).toBe("token");
    expect(dataset.examples).toHaveLength(3394);
    const first = dataset.examples[0];
    expect(first?.id).toBe("wnut17-train:1");
    if (dataset.kind === "token" && first && "tokens" in first) {
      expect(first.tokens[14]).toBe("Empire");
      expect(first.tags.slice(14, 17)).toEqual(["B-location", "I-location", "I-location"]);
      expect(first.tags).toHaveLength(first.tokens.length);
    }
  });

  it("ignores CLINC150's extra fields", async () => {
    const dataset = await readExamples(join(DATASETS, "clinc150/test.jsonl"));
    expect(dataset.kind).toBe("classification");
    expect(dataset.examples).toHaveLength(5500);
    expect(dataset.examples[0]).toEqual({ id: "test:1", text: "how would you say fly in italian", label: "translate" });
    expect(labelSet(dataset)).toContain("oos");
  });

  it("reads restaurant8k (text + tokens + tags) as token examples", async () => {
    const dataset = await readExamples(join(DATASETS, "restaurant8k/test.jsonl"));
    expect(dataset.kind).toBe("token");
    expect(dataset.examples).toHaveLength(3731);
    expect(dataset.examples[0]).toEqual({ id: "test:1", tokens: ["13"], tags: ["B-time"] });
  });

  it("refuses restaurant8k when classification is requested, naming line 1", async () => {
    const path = join(DATASETS, "restaurant8k/test.jsonl");
    await expectDataFileError(readExamples(path, { kind: "classification" }), { file: path, line: 1, field: null }, "token record");
  });
});

describe("readExamples on JSONL", () => {
  it("uses given ids (numbers become strings), generates the rest, and keeps optional fields", async () => {
    const file = await tmp.write(
      "mixed-ids.jsonl",
      jsonl(
        { id: 7, text: "a", label: "x", weight: 2, pred: "y", stage: "seed" },
        "",
        { text: "b", label: "y", extra: [1, 2] },
        { id: "custom", text: "c", label: "x" },
      ),
    );
    const dataset = await readExamples(file);
    expect(dataset.examples).toEqual([
      { id: "7", text: "a", label: "x", weight: 2, pred: "y", stage: "seed" },
      { id: "mixed-ids:3", text: "b", label: "y" },
      { id: "custom", text: "c", label: "x" },
    ]);
    const prefixed = await readExamples(file, { idPrefix: "bank" });
    expect(prefixed.examples[1]?.id).toBe("bank:3");
  });

  it("counts blank lines and strips a byte-order mark", async () => {
    const file = await tmp.write("bom.jsonl", `\uFEFF${jsonl({ text: "a", label: "x" }, "", "   ", { text: "b", label: "y" })}`);
    const dataset = await readExamples(file);
    expect(dataset.examples.map((e) => e.id)).toEqual(["bom:1", "bom:4"]);
  });

  it("accepts token examples with predictions", async () => {
    const file = await tmp.write("pred.jsonl", jsonl({ tokens: ["New", "York"], tags: ["B-loc", "I-loc"], pred: ["B-loc", "O"] }));
    const dataset = await readExamples(file);
    expect(dataset.examples[0]).toEqual({ id: "pred:1", tokens: ["New", "York"], tags: ["B-loc", "I-loc"], pred: ["B-loc", "O"] });
  });
});

describe("readExamples errors", () => {
  it("file not found", async () => {
    const file = join(tmp.path, "nope.jsonl");
    await expectDataFileError(readExamples(file), { file, line: null, field: null }, "file not found");
  });

  it("a folder instead of a file", async () => {
    const file = join(tmp.path, "folder.jsonl");
    await mkdir(file);
    await expectDataFileError(readExamples(file), { file, line: null, field: null }, "not a regular file");
  });

  it("unsupported extension", async () => {
    const file = await tmp.write("data.tsv", "text\tlabel\n");
    await expectDataFileError(readExamples(file), { file, line: null, field: null }, '".tsv"', ".jsonl", ".csv");
  });

  it("empty file, and a file of blank lines", async () => {
    const empty = await tmp.write("empty.jsonl", "");
    await expectDataFileError(readExamples(empty), { file: empty, line: null, field: null }, "no examples");
    const blank = await tmp.write("blank.jsonl", "\n  \n\n");
    await expectDataFileError(readExamples(blank), { file: blank, line: null, field: null }, "no examples");
    const headerOnly = await tmp.write("header-only.csv", "text,label\n");
    await expectDataFileError(readExamples(headerOnly), { file: headerOnly, line: null, field: null }, "no rows");
  });

  it("malformed JSON, with the parser's message", async () => {
    const file = await tmp.write("broken.jsonl", jsonl({ text: "a", label: "x" }, "", '{"text": "b", "label": }'));
    const err = await expectDataFileError(readExamples(file), { file, line: 3, field: null }, "malformed JSON");
    expect(err.message).toMatch(/Unexpected token|Unexpected end|JSON/);
  });

  it("a line that is JSON but not an object", async () => {
    const file = await tmp.write("array.jsonl", jsonl({ text: "a", label: "x" }, "[1,2]"));
    await expectDataFileError(readExamples(file), { file, line: 2, field: null }, "expected a JSON object", "[1,2]");
  });

  it("missing field", async () => {
    const file = await tmp.write("missing.jsonl", jsonl({ text: "a", label: "x" }, { text: "b" }));
    await expectDataFileError(readExamples(file), { file, line: 2, field: "label" }, "missing");
    const tokens = await tmp.write("missing-tags.jsonl", jsonl({ tokens: ["a"] }));
    await expectDataFileError(readExamples(tokens), { file: tokens, line: 1, field: "tags" }, "missing");
  });

  it("wrong type, in the documented message shape", async () => {
    const file = await tmp.write("banking.jsonl", jsonl({ text: "a", label: "x" }, { text: "b", label: 42 }));
    const err = await expectDataFileError(readExamples(file), { file, line: 2, field: "label" });
    expect(err.message).toBe(`${file}:2: field "label": expected a non-empty string, got 42`);
  });

  it("empty text, bad weight, bad pred, bad id", async () => {
    const empty = await tmp.write("empty-text.jsonl", jsonl({ text: "", label: "x" }));
    await expectDataFileError(readExamples(empty), { file: empty, line: 1, field: "text" }, "non-empty string", 'got ""');
    const weight = await tmp.write("weight.jsonl", jsonl({ text: "a", label: "x", weight: 0 }));
    await expectDataFileError(readExamples(weight), { file: weight, line: 1, field: "weight" }, "positive number", "got 0");
    const pred = await tmp.write("pred-type.jsonl", jsonl({ text: "a", label: "x", pred: ["x"] }));
    await expectDataFileError(readExamples(pred), { file: pred, line: 1, field: "pred" }, "expected a string");
    const id = await tmp.write("id.jsonl", jsonl({ id: true, text: "a", label: "x" }));
    await expectDataFileError(readExamples(id), { file: id, line: 1, field: "id" }, "got true");
  });

  it("empty token, naming its index", async () => {
    const file = await tmp.write("empty-token.jsonl", jsonl({ tokens: ["a", ""], tags: ["O", "O"] }));
    await expectDataFileError(readExamples(file), { file, line: 1, field: "tokens" }, "at index 1", "non-empty string");
  });

  it("tokens/tags length mismatch, giving both lengths", async () => {
    const file = await tmp.write("mismatch.jsonl", jsonl({ tokens: ["a", "b"], tags: ["O", "O"] }, { tokens: ["a", "b", "c"], tags: ["O", "O"] }));
    await expectDataFileError(readExamples(file), { file, line: 2, field: "tags" }, "2 tags", "3 tokens");
  });

  it("invalid BIO tag, saying which", async () => {
    const file = await tmp.write("bio.jsonl", jsonl({ tokens: ["a", "b", "c"], tags: ["O", "B-", "I-x"] }));
    await expectDataFileError(readExamples(file), { file, line: 1, field: "tags" }, "at index 1", '"B-"', "BIO tag");
    const other = await tmp.write("bio2.jsonl", jsonl({ tokens: ["a"], tags: ["X-person"] }));
    await expectDataFileError(readExamples(other), { file: other, line: 1, field: "tags" }, '"X-person"');
  });

  it("duplicate id, naming both lines", async () => {
    const file = await tmp.write("dup.jsonl", jsonl({ id: 1, text: "a", label: "x" }, { id: 2, text: "b", label: "x" }, "", { id: "1", text: "c", label: "y" }));
    await expectDataFileError(readExamples(file), { file, line: 4, field: "id" }, '"1"', "lines 1 and 4");
  });

  it("a record of the other kind later in the file", async () => {
    const file = await tmp.write("kinds.jsonl", jsonl({ text: "a", label: "x" }, { text: "b", label: "y" }, { tokens: ["c"], tags: ["O"] }));
    await expectDataFileError(readExamples(file), { file, line: 3, field: null }, "token record", "classification", "line 1");
    const reverse = await tmp.write("kinds2.jsonl", jsonl({ tokens: ["c"], tags: ["O"] }, { text: "b", label: "y" }));
    await expectDataFileError(readExamples(reverse), { file: reverse, line: 2, field: null }, "classification record", "token");
  });

  it("a first record of no known kind", async () => {
    const file = await tmp.write("unknown.jsonl", jsonl({ question: "?", answer: "!" }));
    await expectDataFileError(readExamples(file), { file, line: 1, field: null }, "cannot tell the task kind", '"question"');
  });

  it("an unreadable file", async () => {
    if (process.getuid?.() === 0) return; // root reads anything
    const file = await tmp.write("locked.jsonl", jsonl({ text: "a", label: "x" }));
    await chmod(file, 0o000);
    await expect(readExamples(file)).rejects.toThrow();
    await chmod(file, 0o644);
  });
});

describe("readExamples on CSV", () => {
  it("reads classification columns with quoting, optional columns and blank cells", async () => {
    const file = await tmp.write(
      "intents.csv",
      [
        "id,text,label,weight,pred,stage",
        'a1,"Hello, world",greeting,,,',
        'a2,"She said ""hi""",greeting,0.5,farewell,review',
        "",
        'a3,"two',
        'lines",other,,,',
      ].join("\n"),
    );
    const dataset = await readExamples(file);
    expect(dataset).toEqual({
      kind: "classification",
      path: file,
      examples: [
        { id: "a1", text: "Hello, world", label: "greeting" },
        { id: "a2", text: 'She said "hi"', label: "greeting", weight: 0.5, pred: "farewell", stage: "review" },
        { id: "a3", text: "two\nlines", label: "other" },
      ],
      // Where each record starts: line 4 is blank, a3 spans lines 5-6.
      lines: [2, 3, 5],
    });
  });

  it("generates ids from the record's first line", async () => {
    const file = await tmp.write("noid.csv", 'text,label\n"multi\nline",x\nplain,y\n');
    const dataset = await readExamples(file);
    expect(dataset.examples.map((e) => e.id)).toEqual(["noid:2", "noid:4"]);
  });

  it("reads token columns as space-separated tokens and tags", async () => {
    const file = await tmp.write("ner.csv", 'tokens,tags,pred\n"New York ,",B-loc I-loc O,B-loc O O\n');
    const dataset = await readExamples(file);
    expect(dataset.kind).toBe("token");
    expect(dataset.examples[0]).toEqual({ id: "ner:2", tokens: ["New", "York", ","], tags: ["B-loc", "I-loc", "O"], pred: ["B-loc", "O", "O"] });
  });

  it("reports the line of a bad cell", async () => {
    const file = await tmp.write("bad-weight.csv", "text,label,weight\na,x,1\nb,y,heavy\n");
    await expectDataFileError(readExamples(file), { file, line: 3, field: "weight" }, "positive number", '"heavy"');
    const missing = await tmp.write("blank-label.csv", "text,label\na,x\nb,\n");
    await expectDataFileError(readExamples(missing), { file: missing, line: 3, field: "label" }, "missing");
    const mismatch = await tmp.write("tags.csv", "tokens,tags\na b,O\n");
    await expectDataFileError(readExamples(mismatch), { file: mismatch, line: 2, field: "tags" }, "1 tag but", "2 tokens");
  });

  it("reports rows with the wrong number of cells", async () => {
    const file = await tmp.write("cells.csv", "text,label\nhello, world,x\n");
    await expectDataFileError(readExamples(file), { file, line: 2, field: null }, "3 cells", "2 columns");
  });

  it("reports broken quoting at the record's first line", async () => {
    const after = await tmp.write("after-quote.csv", 'text,label\n"a"b,x\n');
    await expectDataFileError(readExamples(after), { file: after, line: 2, field: null }, "after a closing quote");
    const open = await tmp.write("open-quote.csv", 'text,label\na,x\n"never closed,y\nmore\n');
    await expectDataFileError(readExamples(open), { file: open, line: 3, field: null }, "never closed");
  });

  it("reports a duplicated header column", async () => {
    const file = await tmp.write("dup-header.csv", "text,label,text\na,b,c\n");
    await expectDataFileError(readExamples(file), { file, line: 1, field: "text" }, "twice");
  });
});

describe("readExamples: what a model cannot learn from is an error naming file, line and field", () => {
  it("refuses whitespace-only text or tokens, labels with surrounding spaces, NUL bytes and lone surrogates", async () => {
    const cases: [string, string, string, string][] = [
      ["blank-text.jsonl", jsonl({ text: "ok", label: "a" }, { text: "   ", label: "a" }), "text", "is only whitespace"],
      ["spaced-label.jsonl", jsonl({ text: "ok", label: "a" }, { text: "hi", label: "a " }), "label", "has leading or trailing whitespace"],
      ["blank-label.jsonl", jsonl({ text: "ok", label: "a" }, { text: "hi", label: "  " }), "label", "is only whitespace"],
      ["nul.csv", "text,label\nok,a\nbad\u0000text,a\n", "text", "holds a NUL byte"],
      ["surrogate.jsonl", `{"text":"ok","label":"a"}\n{"text":"bad \\ud800 text","label":"a"}\n`, "text", "lone UTF-16 surrogate"],
      ["blank-token.jsonl", jsonl({ tokens: ["a"], tags: ["O"] }, { tokens: ["a", " "], tags: ["O", "O"] }), "tokens", "is only whitespace"],
      ["spaced-token.jsonl", jsonl({ tokens: ["a"], tags: ["O"] }, { tokens: ["a b"], tags: ["O"] }), "tokens", "holds a space or line break"],
    ];
    for (const [name, content, field, problem] of cases) {
      const file = await tmp.write(name, content);
      await expectDataFileError(readExamples(file), { file, line: name.endsWith(".csv") ? 3 : 2, field }, problem);
    }
  });

  it("refuses bytes that are not UTF-8, naming their line", async () => {
    const file = join(tmp.path, "latin1.jsonl");
    const { writeFile } = await import("node:fs/promises");
    await writeFile(file, Buffer.concat([Buffer.from('{"text":"ok","label":"a"}\n\n{"text":"caf'), Buffer.from([0xe9]), Buffer.from('","label":"a"}\n')]));
    await expectDataFileError(readExamples(file), { file, line: 3, field: null }, "is not valid UTF-8");
  });

  it("refuses weights that would overflow the loss, and says what an infinite one was", async () => {
    const huge = await tmp.write("huge-weight.jsonl", '{"text":"ok","label":"a","weight":1e300}\n');
    await expectDataFileError(readExamples(huge), { file: huge, line: 1, field: "weight" }, "at most 1000000");
    const infinite = await tmp.write("inf-weight.jsonl", '{"text":"ok","label":"a","weight":1e400}\n');
    const err = await expectDataFileError(readExamples(infinite), { file: infinite, line: 1, field: "weight" });
    expect(err.message).not.toContain("null");
  });

  it("reads tags as strict IOB2: an I-X that does not continue an X entity starts one", async () => {
    const file = await tmp.write("bio.jsonl", jsonl({ tokens: ["a", "b", "c", "d"], tags: ["I-X", "B-Y", "I-Z", "I-Z"] }));
    const dataset = await readExamples(file);
    expect(dataset.examples[0]).toMatchObject({ tags: ["B-X", "B-Y", "B-Z", "I-Z"] });
  });
});

