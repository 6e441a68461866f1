import { describe, expect, it } from "vitest";
import { DataFileError, describeValue } from "./data-file-error.ts";

describe("DataFileError", () => {
  it("formats file:line: field, problem and hint", () => {
    const err = new DataFileError({ file: "banking.jsonl", line: 17, field: "label", problem: "expected a non-empty string, got 42" });
    expect(err.message).toBe('banking.jsonl:17: field "label": expected a non-empty string, got 42');
    expect(err).toMatchObject({ name: "DataFileError", file: "banking.jsonl", line: 17, field: "label" });
    expect(err).toBeInstanceOf(Error);
  });

  it("formats whole-file problems with a hint", () => {
    const err = new DataFileError({ file: "x.csv", line: null, field: null, problem: "file not found", hint: "check the path" });
    expect(err.message).toBe("x.csv: file not found — check the path");
  });

  it("describes values briefly", () => {
    expect(describeValue(42)).toBe("42");
    expect(describeValue(undefined)).toBe("nothing");
    expect(describeValue("x".repeat(200))).toHaveLength(80);
  });
});
