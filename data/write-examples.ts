import { writeFileAtomic } from "../lib/atomic-write.ts";
import { canonicalJsonLine } from "./canonical-example.ts";
import type { Example } from "./example.ts";

/** Writes examples as canonical JSONL (one object a line, fixed key order, pred/stage kept),
 * atomically: readers see the old file or the new one, never half of it. */
export async function writeExamplesJsonl(path: string, examples: readonly Example[]): Promise<void> {
  const text = examples.map((example) => `${canonicalJsonLine(example, { withAnnotations: true })}\n`).join("");
  await writeFileAtomic(path, text);
}
