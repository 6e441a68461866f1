import { basename, extname } from "node:path";
import { DataFileError, describeValue } from "./data-file-error.ts";
import { GenerationExample, type GenerationDataset } from "./example.ts";
import { dataFileRecords, describeFields, recordIssueError } from "./read-examples.ts";

/**
 * Generation examples (`{"text","target"}`, optional `rationale`, `id`, `weight`, `pred`, `stage`)
 * from a `.jsonl` or `.csv` file, through the example readers' record layer: the same syntax,
 * encoding and line errors, and every problem a DataFileError naming file, line and field. An
 * example without an output, or with an empty one, is an error; a record of another kind (a label
 * or tags) is too.
 */
export async function readGenerationExamples(path: string, opts: { idPrefix?: string } = {}): Promise<GenerationDataset> {
  const prefix = opts.idPrefix ?? basename(path, extname(path));
  const examples: GenerationExample[] = [];
  const lines: number[] = [];
  const idLines = new Map<string, number>();
  for await (const { line, fields } of dataFileRecords(path)) {
    const fail = (field: string | null, problem: string, hint?: string) => new DataFileError({ file: path, line, field, problem, ...(hint ? { hint } : {}) });
    if (!("target" in fields) && ("label" in fields || "tokens" in fields || "tags" in fields)) {
      throw fail(null, `this is a ${"label" in fields ? "classification" : "token"} record (it has ${describeFields(fields)}), not a generation example`, 'a generation example is {"text","target"}, with an optional "rationale"');
    }
    if (fields.target === undefined) throw fail("target", "missing; every generation example needs its output", 'add "target": the answer the model should give');
    const id = idOf(fields.id, `${prefix}:${line}`);
    if (id === null) throw fail("id", `expected a non-empty string or a number, got ${describeValue(fields.id)}`);
    // CSV cells are strings: a weight is read as a number.
    const weight = typeof fields.weight === "string" && fields.weight.trim() !== "" && Number.isFinite(Number(fields.weight)) ? Number(fields.weight) : fields.weight;
    const candidate = { ...fields, id, ...(weight !== undefined ? { weight } : {}) };
    const parsed = GenerationExample.safeParse(candidate);
    if (!parsed.success) throw recordIssueError(path, line, candidate, parsed.error.issues);
    const first = idLines.get(id);
    if (first !== undefined) throw fail("id", `duplicate id "${id}" (lines ${first} and ${line})`, "ids must be unique within a file; rename one, or drop the id field to use line-based ids");
    idLines.set(id, line);
    examples.push(parsed.data);
    lines.push(line);
  }
  if (examples.length === 0) throw new DataFileError({ file: path, line: null, field: null, problem: "has no examples", hint: "add at least one record" });
  return { kind: "generation", path, examples, lines };
}

function idOf(raw: unknown, fallback: string): string | null {
  if (raw === undefined || raw === null) return fallback;
  if (typeof raw === "number" && Number.isFinite(raw)) return String(raw);
  return typeof raw === "string" && raw !== "" ? raw : null;
}
