import { z } from "zod";
import { VersionId } from "./registry-manifest.ts";

export const PointerAction = z.enum(["promote", "rollback"]);
export type PointerAction = z.infer<typeof PointerAction>;

/** One move of the pointer; `id` is the version that became current. */
export const PointerEvent = z.object({
  id: VersionId,
  at: z.iso.datetime({ offset: true }),
  action: PointerAction,
});
export type PointerEvent = z.infer<typeof PointerEvent>;

/** `pointer.json`: the promoted version and every move that led there. */
export const PointerFile = z.object({
  current: VersionId.nullable(),
  history: z.array(PointerEvent),
});
export type PointerFile = z.infer<typeof PointerFile>;

export const EMPTY_POINTER: PointerFile = { current: null, history: [] };

/** Replays the history as a stack: a promote pushes, a rollback pops the promote it undid. The
 * top is the current version and the entry below it is where the next rollback goes — so after
 * promote A, B, C a rollback goes to B, the next to A, and then there is nothing left. */
export function promotionStack(history: readonly PointerEvent[]): string[] {
  const stack: string[] = [];
  for (const event of history) {
    if (event.action === "promote") stack.push(event.id);
    else stack.pop();
  }
  return stack;
}

/** The version a rollback would make current, or null when nothing was promoted before it. */
export function rollbackTarget(pointer: PointerFile): string | null {
  const stack = promotionStack(pointer.history);
  return stack.length >= 2 ? (stack[stack.length - 2] ?? null) : null;
}
