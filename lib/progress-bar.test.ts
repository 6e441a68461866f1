import { describe, expect, it } from "vitest";
import { formatProgress } from "./progress-bar.ts";

describe("formatProgress", () => {
  it("draws the bar, counts, loss, speed and eta", () => {
    const line = formatProgress({ event: "progress", stage: "train", step: 25, total: 100, loss: 1.23456, examples_per_s: 96.4, eta_s: 182 }, 20);
    expect(line).toBe("train [#####---------------] 25/100   25%  loss 1.235  96 ex/s  eta 3m02s");
  });

  it("omits what the event does not carry", () => {
    expect(formatProgress({ event: "progress", stage: "embed", step: 10, total: 10 }, 4)).toBe("embed [####] 10/10  100%");
  });
});
