import { describe, expect, it } from "vitest";
import { corruptEntities, noisyPool, rng } from "./noise.ts";

describe("noise injection", () => {
  it("flips about the requested share of labels, deterministically, never to the same label", () => {
    const examples = Array.from({ length: 1000 }, (_, i) => ({ id: String(i), text: `t${i}`, label: `l${i % 5}` }));
    const a = noisyPool(examples, 0.3, 7);
    const b = noisyPool(examples, 0.3, 7);
    expect(a.examples).toEqual(b.examples);
    const changed = a.examples.filter((e, i) => "label" in e && e.label !== examples[i]!.label).length;
    expect(changed).toBe(a.corrupted);
    expect(changed).toBeGreaterThan(250);
    expect(changed).toBeLessThan(350);
  });

  it("corrupts whole entities, keeping valid BIO", () => {
    const random = rng(1);
    const { tags, changed } = corruptEntities(["B-person", "I-person", "O", "B-location"], ["person", "location", "group"], 1, random);
    expect(changed).toBe(true);
    expect(tags[2]).toBe("O");
    // The two-token entity stays one unit: erased together or retyped together.
    expect(tags[0] === "O" ? tags[1] === "O" : tags[1] === `I-${tags[0]!.slice(2)}`).toBe(true);
    expect(tags[0]).not.toBe("B-person");
    expect(tags[3]).not.toBe("B-location");
  });
});
