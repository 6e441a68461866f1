import { describe, expect, it } from "vitest";
import { compareStrings } from "./compare-strings.ts";

describe("compareStrings", () => {
  it("orders by code unit, not by locale (uppercase before lowercase)", () => {
    expect(["b", "a", "B", "A"].sort(compareStrings)).toEqual(["A", "B", "a", "b"]);
  });
  it("returns 0 for equal strings", () => {
    expect(compareStrings("x", "x")).toBe(0);
  });
});
