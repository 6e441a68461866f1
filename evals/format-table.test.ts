import { describe, expect, it } from "vitest";
import { formatTable } from "./format-table.ts";

describe("formatTable", () => {
  it("left-aligns the first column and right-aligns the rest", () => {
    expect(formatTable(["class", "f1"], [["a", "0.5000"], ["long_name", "1.0000"]])).toEqual([
      "class          f1",
      "a          0.5000",
      "long_name  1.0000",
    ]);
  });
});
