/**
 * Writes a chain-of-thought benchmark task's slices as JSONL ({"id","text","target","rationale"}),
 * the input `pioneer cold-start --kind generation` and `pioneer maintain` take, so the agents can be
 * run on the same data as bench:cot:
 *
 *   npx tsx bench/cot/write-data.ts --task arithmetic|gsm8k [--train 300] [--test 200] --out DIR
 *
 * writes DIR/train.jsonl and DIR/test.jsonl.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { writeFileAtomic } from "../../lib/atomic-write.ts";
import { COT_TASKS } from "./tasks.ts";

const { values } = parseArgs({ options: { task: { type: "string" }, train: { type: "string", default: "300" }, test: { type: "string", default: "200" }, out: { type: "string" } } });
const task = COT_TASKS.find((t) => t.name === values.task);
if (!task || !values.out) throw new Error(`usage: --task ${COT_TASKS.map((t) => t.name).join("|")} --out DIR [--train N] [--test N]`);
const { train, test } = await task.load(Number(values.train), Number(values.test));
await mkdir(values.out, { recursive: true });
for (const [name, rows] of [["train", train], ["test", test]] as const) {
  await writeFileAtomic(join(values.out, `${name}.jsonl`), rows.map((r) => `${JSON.stringify(r)}\n`).join(""));
}
console.error(`${task.name}: ${train.length} training and ${test.length} test problems in ${values.out} (answers: ${task.extractor})`);
