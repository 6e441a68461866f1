/**
 * Fuzz benchmark of the example readers: many generated files (test-support/malformed-data-files.ts),
 * each valid or with one planted fault, read by `readExamples`; prints how each kind of fault was
 * answered: a clear error at its line and field, an error elsewhere, a silent acceptance, a crash.
 *
 *   npm run bench:fuzz -- [--cases 5000] [--seed N] [--reader DIR]
 *
 * `--reader DIR` reads with another checkout's `data/` (e.g. an older commit), to compare; the
 * results of this checkout's reader go to bench/results/fuzz-readers.{json,md}.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import fc from "fast-check";
import { writeFileAtomic, writeJsonAtomic } from "../lib/atomic-write.ts";
import { REPO_ROOT } from "../lib/repo-root.ts";
import { type DataFileCase, duplicateIdFile, malformedDataFile, type ReadOutcome, type Reader, readCase, validDataFile } from "../test-support/malformed-data-files.ts";

const { values } = parseArgs({ options: { cases: { type: "string", default: "5000" }, seed: { type: "string", default: "20261130" }, reader: { type: "string" } } });
const total = Number(values.cases);
const seed = Number(values.seed);
const readerRoot = resolve(values.reader ?? REPO_ROOT);
const reader = (await import(join(readerRoot, "data", "index.ts"))) as Reader;

const malformed = fc.sample(fc.oneof({ arbitrary: malformedDataFile, weight: 19 }, { arbitrary: duplicateIdFile, weight: 1 }), { numRuns: total, seed });
const valid = fc.sample(validDataFile, { numRuns: Math.ceil(total / 5), seed: seed + 1 });
const garbage = fc.sample(fc.tuple(fc.uint8Array({ maxLength: 300 }), fc.constantFrom<"jsonl" | "csv">("jsonl", "csv")), { numRuns: Math.ceil(total / 5), seed: seed + 2 })
  .map(([bytes, format]): DataFileCase => ({ kind: "classification", format, bytes, records: 0, fault: null }));

const dir = await mkdtemp(join(tmpdir(), "pioneer-fuzz-bench-"));
const rows = new Map<string, Record<ReadOutcome, number> & { cases: number; example: string }>();
const count = (name: string, outcome: ReadOutcome, detail: string) => {
  const row = rows.get(name) ?? { cases: 0, accepted: 0, "rejected valid": 0, clear: 0, misplaced: 0, silent: 0, crash: 0, example: "" };
  row.cases++;
  row[outcome]++;
  if (!row.example && outcome !== "clear" && outcome !== "accepted") row.example = detail.split("\n")[0]!.replace(dir, "<dir>").slice(0, 140);
  rows.set(name, row);
};
let n = 0;
const started = performance.now();
for (const c of [...malformed, ...valid, ...garbage]) {
  const path = join(dir, `case-${n++}.${c.format}`);
  const { outcome, detail } = await readCase(c, path, reader);
  count(c.fault?.name ?? (c.records > 0 ? "(valid file)" : "(arbitrary bytes)"), outcome, detail);
  await rm(path);
}
await rm(dir, { recursive: true, force: true });

const sorted = [...rows].sort(([a], [b]) => (a.startsWith("(") ? 1 : 0) - (b.startsWith("(") ? 1 : 0) || a.localeCompare(b));
const sum = (k: ReadOutcome | "cases", pick: (name: string) => boolean) => sorted.filter(([name]) => pick(name)).reduce((s, [, r]) => s + r[k], 0);
const faulty = (name: string) => !name.startsWith("(");
const totals = {
  reader: values.reader ? readerRoot : "this checkout",
  seed,
  faulty_cases: sum("cases", faulty),
  clear_errors: sum("clear", faulty),
  misplaced_errors: sum("misplaced", faulty),
  silent_acceptances: sum("silent", faulty),
  crashes: sum("crash", () => true),
  valid_cases: rows.get("(valid file)")?.cases ?? 0,
  valid_rejected: rows.get("(valid file)")?.["rejected valid"] ?? 0,
  arbitrary_byte_cases: rows.get("(arbitrary bytes)")?.cases ?? 0,
  wall_s: Number(((performance.now() - started) / 1000).toFixed(1)),
};
const md = [
  `# Reader fuzzing (${values.reader ? `reader of ${readerRoot}` : "this checkout"}, seed ${seed})`,
  "",
  `${totals.faulty_cases} files with one planted fault: ${totals.clear_errors} clear errors (file, line and field), ${totals.misplaced_errors} errors at the wrong line or field, ${totals.silent_acceptances} silent acceptances; ${totals.crashes} crashes in all; ${totals.valid_rejected} of ${totals.valid_cases} valid files rejected; ${totals.wall_s} s.`,
  "",
  "| fault | cases | clear error | misplaced | silent | crash | accepted (valid) | first problem |",
  "|---|---:|---:|---:|---:|---:|---:|---|",
  ...sorted.map(([name, r]) => `| ${name} | ${r.cases} | ${r.clear} | ${r.misplaced} | ${r.silent} | ${r.crash} | ${r.accepted} | ${r.example.replace(/\|/g, "/")} |`),
].join("\n");
console.log(md);
if (!values.reader) {
  await writeJsonAtomic(join(REPO_ROOT, "bench", "results", "fuzz-readers.json"), { totals, faults: Object.fromEntries(sorted) });
  await writeFileAtomic(join(REPO_ROOT, "bench", "results", "fuzz-readers.md"), `${md}\n`);
}
