import { describe, expect, it } from "vitest";
import { percentile } from "./percentile.ts";

describe("percentile (linear interpolation)", () => {
  const v = [1, 2, 3, 4];
  it("interpolates between ranks", () => {
    // position q*(4-1): 0.5 -> 1.5 -> 2.5 ; 0.25 -> 0.75 -> 1.75 ; 0.9 -> 2.7 -> 3.7
    expect(percentile(v, 0.5)).toBeCloseTo(2.5, 12);
    expect(percentile(v, 0.25)).toBeCloseTo(1.75, 12);
    expect(percentile(v, 0.9)).toBeCloseTo(3.7, 12);
  });
  it("returns the extremes at 0 and 1, and exact ranks without interpolation", () => {
    expect(percentile(v, 0)).toBe(1);
    expect(percentile(v, 1)).toBe(4);
    expect(percentile([5, 7, 9], 0.5)).toBe(7);
  });
  it("rejects empty input and q outside [0, 1]", () => {
    expect(() => percentile([], 0.5)).toThrow(/no values/);
    expect(() => percentile(v, 1.5)).toThrow(/q must be/);
  });
});
