import { describe, expect, it } from "vitest";
import { fixed, percent, signed } from "./format-number.ts";

describe("format-number", () => {
  it("fixed pads to the digits", () => {
    expect(fixed(0.8)).toBe("0.8000");
    expect(fixed(2 / 3, 2)).toBe("0.67");
  });
  it("signed always shows a sign and never prints -0", () => {
    expect(signed(0.02)).toBe("+0.0200");
    expect(signed(-0.02)).toBe("-0.0200");
    expect(signed(0)).toBe("+0.0000");
    expect(signed(-0.000001)).toBe("+0.0000");
  });
  it("percent drops trailing zeros", () => {
    expect(percent(0.95)).toBe("95%");
    expect(percent(0.975)).toBe("97.5%");
  });
});
