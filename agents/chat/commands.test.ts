import { describe, expect, it } from "vitest";
import { parseCommand } from "./commands.ts";

describe("parseCommand", () => {
  it("reads the commands in their strict shapes", () => {
    expect(parseCommand("status")).toEqual({ name: "status" });
    expect(parseCommand("  Runs ")).toEqual({ name: "runs" });
    expect(parseCommand("why maintain-1")).toEqual({ name: "why", run: "maintain-1" });
    expect(parseCommand("follow maintain-1")).toEqual({ name: "follow", run: "maintain-1" });
    expect(parseCommand("approve maintain-1")).toEqual({ name: "approve", run: "maintain-1" });
    expect(parseCommand("reject maintain-1 -- two flips on card payments")).toEqual({ name: "reject", run: "maintain-1", reason: "two flips on card payments" });
  });

  it("leaves questions as free text", () => {
    expect(parseCommand("why was round 2 rejected?")).toBeNull();
    expect(parseCommand("status of run 3")).toBeNull();
    expect(parseCommand("approve the promotion please")).toBeNull();
    expect(parseCommand("which failures are still open?")).toBeNull();
    expect(parseCommand("why")).toBeNull();
  });
});
