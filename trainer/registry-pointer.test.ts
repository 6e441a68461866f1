import { describe, expect, it } from "vitest";
import { promotionStack, rollbackTarget, type PointerEvent, type PointerFile } from "./registry-pointer.ts";

const at = "2025-01-01T00:00:00.000Z";
const promote = (id: string): PointerEvent => ({ id, at, action: "promote" });
const rollback = (id: string): PointerEvent => ({ id, at, action: "rollback" });
const pointer = (...history: PointerEvent[]): PointerFile => ({ current: history.at(-1)?.id ?? null, history });

describe("promotionStack / rollbackTarget", () => {
  it("is empty with no history", () => {
    expect(promotionStack([])).toEqual([]);
    expect(rollbackTarget(pointer())).toBeNull();
  });

  it("goes back one promote at a time: A, B, C -> B -> A -> nothing", () => {
    const history = [promote("A"), promote("B"), promote("C")];
    expect(rollbackTarget(pointer(...history))).toBe("B");
    history.push(rollback("B"));
    expect(promotionStack(history)).toEqual(["A", "B"]);
    expect(rollbackTarget(pointer(...history))).toBe("A");
    history.push(rollback("A"));
    expect(rollbackTarget(pointer(...history))).toBeNull();
  });

  it("forgets rolled-back promotes: A, B, rollback, C -> rollback goes to A", () => {
    expect(rollbackTarget(pointer(promote("A"), promote("B"), rollback("A"), promote("C")))).toBe("A");
  });

  it("re-promoting an older version makes it undoable: A, B, A -> B", () => {
    expect(rollbackTarget(pointer(promote("A"), promote("B"), promote("A")))).toBe("B");
  });
});
