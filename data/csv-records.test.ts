import { describe, expect, it } from "vitest";
import { CsvRecordSplitter, CsvSyntaxError, parseCsv } from "./csv-records.ts";

const cells = (text: string) => parseCsv(text).map((record) => record.cells);

describe("parseCsv", () => {
  it("splits plain fields, keeping empty ones", () => {
    expect(cells("a,b,c\n1,,3\n4,5,\n")).toEqual([
      ["a", "b", "c"],
      ["1", "", "3"],
      ["4", "5", ""],
    ]);
  });

  it("reads quoted fields with commas, doubled quotes and empty quotes", () => {
    expect(cells('"x, y","say ""hi""",""\n')).toEqual([["x, y", 'say "hi"', ""]]);
  });

  it("keeps line breaks inside quotes and numbers records by their first line", () => {
    const records = parseCsv('h1,h2\n"line one\nline two",b\n\nc,"d\n\ne"\nf,g');
    expect(records).toEqual([
      { line: 1, cells: ["h1", "h2"] },
      { line: 2, cells: ["line one\nline two", "b"] },
      { line: 5, cells: ["c", "d\n\ne"] },
      { line: 8, cells: ["f", "g"] },
    ]);
  });

  it("accepts CRLF line ends", () => {
    expect(cells('a,b\r\n"1\r\n2",3\r\n')).toEqual([
      ["a", "b"],
      ["1\n2", "3"],
    ]);
  });

  it("keeps a quote inside an unquoted field literally", () => {
    expect(cells('5" screen,x')).toEqual([['5" screen', "x"]]);
  });

  it("rejects text after a closing quote, naming the record's line", () => {
    expect(() => parseCsv('a,b\n"x"y,z')).toThrowError(CsvSyntaxError);
    try {
      parseCsv('a,b\n"x"y,z');
    } catch (err) {
      expect((err as CsvSyntaxError).line).toBe(2);
      expect((err as CsvSyntaxError).message).toContain("after a closing quote");
    }
  });

  it("rejects a quote that is never closed", () => {
    const splitter = new CsvRecordSplitter();
    expect(splitter.push("a,b", 1)).toEqual({ line: 1, cells: ["a", "b"] });
    expect(splitter.push('"open,b', 2)).toBeNull();
    expect(splitter.push("still open", 3)).toBeNull();
    expect(() => splitter.finish()).toThrowError(/never closed/);
  });
});
