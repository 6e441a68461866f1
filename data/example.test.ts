import { describe, expect, it } from "vitest";
import { BIO_TAG, ClassificationExample, Dataset, TokenExample, isTokenExample } from "./example.ts";

describe("example schemas", () => {
  it("accepts valid examples and drops unknown fields", () => {
    expect(ClassificationExample.parse({ id: "1", text: "a", label: "x", domain: "bank" })).toEqual({ id: "1", text: "a", label: "x" });
    expect(TokenExample.parse({ id: "1", text: "a b", tokens: ["a", "b"], tags: ["B-x", "I-x"] })).toEqual({
      id: "1",
      tokens: ["a", "b"],
      tags: ["B-x", "I-x"],
    });
  });

  it("checks BIO tags", () => {
    for (const tag of ["O", "B-x", "I-creative-work", "B-LOC"]) expect(BIO_TAG.test(tag)).toBe(true);
    for (const tag of ["", "o", "B", "B-", "I-", "E-x", "B x", "B-a b", "O-x"]) expect(BIO_TAG.test(tag)).toBe(false);
  });

  it("requires one tag (and one predicted tag) per token", () => {
    const tags = TokenExample.safeParse({ id: "1", tokens: ["a"], tags: ["O", "O"] });
    expect(tags.success).toBe(false);
    expect(tags.error?.issues[0]?.path).toEqual(["tags"]);
    const pred = TokenExample.safeParse({ id: "1", tokens: ["a"], tags: ["O"], pred: [] });
    expect(pred.error?.issues[0]?.path).toEqual(["pred"]);
  });

  it("rejects empty token lists and non-positive weights", () => {
    expect(TokenExample.safeParse({ id: "1", tokens: [], tags: [] }).success).toBe(false);
    expect(ClassificationExample.safeParse({ id: "1", text: "a", label: "x", weight: 0 }).success).toBe(false);
    expect(ClassificationExample.safeParse({ id: "1", text: "a", label: "x", weight: Infinity }).success).toBe(false);
  });

  it("discriminates data sets by kind", () => {
    const dataset = Dataset.parse({ kind: "token", path: "p", examples: [{ id: "1", tokens: ["a"], tags: ["O"] }] });
    expect(dataset.kind).toBe("token");
    expect(isTokenExample(dataset.examples[0]!)).toBe(true);
    expect(Dataset.safeParse({ kind: "classification", path: "p", examples: [{ id: "1", tokens: ["a"], tags: ["O"] }] }).success).toBe(false);
  });
});
