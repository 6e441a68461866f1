import { describe, expect, it } from "vitest";
import { rebaseLinks, replaceSection } from "./update-readme.ts";

describe("replaceSection", () => {
  it("replaces the text between the markers and keeps the rest", () => {
    const readme = "intro\n<!-- x-results -->\nold table\n<!-- /x-results -->\noutro\n";
    expect(replaceSection(readme, "x", "| new |")).toBe("intro\n<!-- x-results -->\n| new |\n<!-- /x-results -->\noutro\n");
  });

  it("adds the closing marker the first time", () => {
    expect(replaceSection("a\n<!-- x-results -->\n", "x", "t")).toBe("a\n<!-- x-results -->\nt\n<!-- /x-results -->\n\n");
  });

  it("names the missing marker", () => {
    expect(() => replaceSection("nothing", "x", "t")).toThrow(/<!-- x-results -->/);
  });
});

describe("rebaseLinks", () => {
  it("points relative links of a results page at bench/results/ and leaves others alone", () => {
    expect(rebaseLinks("![c](adaptation/x.svg) [w](https://x.org) [a](#top) [r](/abs)")).toBe("![c](bench/results/adaptation/x.svg) [w](https://x.org) [a](#top) [r](/abs)");
  });
});
