import { describe, expect, it } from "vitest";
import { mulberry32 } from "../lib/random.ts";
import { pairedBootstrapDelta } from "./bootstrap.ts";

describe("mulberry32", () => {
  it("matches the reference implementation's stream", () => {
    const u32 = (seed: number) => {
      const r = mulberry32(seed);
      return [r(), r(), r()].map((x) => x * 4294967296);
    };
    expect(u32(0)).toEqual([1144304738, 1416247, 958946056]);
    expect(u32(1)).toEqual([2693262067, 11749833, 2265367787]);
    expect(u32(42)).toEqual([2581720956, 1925393290, 3661312704]);
  });

  it("yields floats in [0, 1)", () => {
    const r = mulberry32(7);
    for (let i = 0; i < 1000; i++) {
      const x = r();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
    }
  });
});

describe("pairedBootstrapDelta", () => {
  // parent right on 6/10, candidate right on 8/10 -> delta = 2/10
  const parent = [true, true, true, true, true, true, false, false, false, false];
  const candidate = [true, true, true, true, true, false, true, true, true, false];

  it("reports the full-set accuracy change and bounds that contain it", () => {
    const r = pairedBootstrapDelta(parent, candidate, { samples: 2000, seed: 3 });
    expect(r.delta).toBeCloseTo(2 / 10, 12);
    expect(r.samples).toBe(2000);
    expect(r.low).toBeLessThanOrEqual(r.delta);
    expect(r.high).toBeGreaterThanOrEqual(r.delta);
    expect(r.low).toBeLessThan(r.high);
    expect(r.low).toBeGreaterThanOrEqual(-1);
    expect(r.high).toBeLessThanOrEqual(1);
  });

  it("is deterministic for the same seed", () => {
    const a = pairedBootstrapDelta(parent, candidate, { samples: 500, seed: 11 });
    const b = pairedBootstrapDelta(parent, candidate, { samples: 500, seed: 11 });
    expect(a).toEqual(b);
  });

  it("gives a wider interval at a higher confidence level", () => {
    const wide = pairedBootstrapDelta(parent, candidate, { samples: 2000, seed: 5, confidence: 0.99 });
    const narrow = pairedBootstrapDelta(parent, candidate, { samples: 2000, seed: 5, confidence: 0.5 });
    expect(wide.low).toBeLessThanOrEqual(narrow.low);
    expect(wide.high).toBeGreaterThanOrEqual(narrow.high);
    expect(wide.high - wide.low).toBeGreaterThan(narrow.high - narrow.low);
  });

  it("gives delta = low = high = 0 for identical predictions (resamples are paired)", () => {
    const mixed = [true, false, true, false, true, false, false, true];
    expect(pairedBootstrapDelta(mixed, [...mixed], { seed: 9 })).toEqual({ delta: 0, low: 0, high: 0, samples: 1000 });
  });

  it("keeps every resample on the side of a one-sided change", () => {
    // candidate never worse on any example -> every resampled delta >= 0
    const r = pairedBootstrapDelta([false, false, true, true], [true, false, true, true], { seed: 1 });
    expect(r.delta).toBeCloseTo(1 / 4, 12);
    expect(r.low).toBeGreaterThanOrEqual(0);
    // candidate right everywhere the parent was wrong everywhere -> every resample is exactly +1
    const all = pairedBootstrapDelta([false, false, false], [true, true, true]);
    expect(all).toEqual({ delta: 1, low: 1, high: 1, samples: 1000 });
  });

  it("validates lengths, emptiness and options", () => {
    expect(() => pairedBootstrapDelta([true], [])).toThrow(/1 entries but candidateCorrect has 0/);
    expect(() => pairedBootstrapDelta([], [])).toThrow(/no examples/);
    expect(() => pairedBootstrapDelta([true], [true], { confidence: 1 })).toThrow(/invalid options/);
    expect(() => pairedBootstrapDelta([true], [true], { samples: 0 })).toThrow(/invalid options/);
  });
});
