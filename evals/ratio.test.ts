import { describe, expect, it } from "vitest";
import { ratio } from "./ratio.ts";

describe("ratio", () => {
  it("divides", () => {
    expect(ratio(1, 4)).toBe(0.25);
  });
  it("returns 0 (not NaN) for a zero denominator", () => {
    expect(ratio(0, 0)).toBe(0);
    expect(ratio(3, 0)).toBe(0);
  });
});
