import { describe, expect, it } from "vitest";
import { classesOf, everyNth, groupBy, seededShuffle } from "./sampling.ts";

describe("sampling helpers", () => {
  it("names an example's classes", () => {
    expect(classesOf({ id: "1", text: "t", label: "a" })).toEqual(["a"]);
    expect(classesOf({ id: "1", tokens: ["a", "b", "c"], tags: ["B-x", "I-x", "B-y"] })).toEqual(["x", "y"]);
  });

  it("takes every k-th item, at most n", () => {
    expect(everyNth([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 3)).toEqual([0, 3, 6]);
    expect(everyNth([0, 1], 5)).toEqual([0, 1]);
  });

  it("shuffles deterministically per seed, keeping every item", () => {
    const items = Array.from({ length: 50 }, (_, i) => i);
    const a = seededShuffle(items, 3);
    expect(a).toEqual(seededShuffle(items, 3));
    expect(a).not.toEqual(items);
    expect(a).not.toEqual(seededShuffle(items, 4));
    expect([...a].sort((x, y) => x - y)).toEqual(items);
  });

  it("groups by key in first-seen order", () => {
    expect([...groupBy(["ax", "by", "az"], (s) => s[0]!).entries()]).toEqual([["a", ["ax", "az"]], ["b", ["by"]]]);
  });
});
