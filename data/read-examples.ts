import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { basename, extname, resolve } from "node:path";
import type { z } from "zod";
import { repairBio } from "./bio.ts";
import { CsvRecordSplitter, CsvSyntaxError } from "./csv-records.ts";
import { DataFileError, describeValue } from "./data-file-error.ts";
import {
  ClassificationExample,
  TokenExample,
  type Dataset,
  type TaskKind,
} from "./example.ts";

export interface ReadExamplesOptions {
  /** Skip detection and require every record to be of this kind. */
  kind?: TaskKind;
  /** Prefix of generated ids (`${idPrefix}:${line}`) for records without an `id`; defaults to the
   * file name without its extension. */
  idPrefix?: string;
}

type Format = "jsonl" | "csv";

/** One record as found in the file, before validation. */
export interface RawRecord {
  /** 1-based line where the record starts. */
  line: number;
  fields: Record<string, unknown>;
}

const FORMATS: Record<string, Format> = { ".jsonl": "jsonl", ".csv": "csv" };

/** Reads labeled examples from a `.jsonl` or `.csv` file, streaming it line by line. Every problem
 * is a {@link DataFileError} naming the file, the line and the field. */
export async function readExamples(path: string, opts: ReadExamplesOptions = {}): Promise<Dataset> {
  const collector = new ExampleCollector(path, opts, formatOf(path));
  for await (const record of dataFileRecords(path)) collector.add(record);
  return collector.finish();
}

/** The records of a `.jsonl` or `.csv` file as found (fields by name, with the line each starts on),
 * before any schema: for readers of other record shapes, such as unlabeled traffic. Syntax and
 * encoding errors are DataFileErrors naming the line. */
export async function* dataFileRecords(path: string): AsyncGenerator<RawRecord> {
  const format = formatOf(path);
  await assertReadableFile(path);
  yield* format === "jsonl" ? jsonlRecords(path) : csvRecords(path);
}

function formatOf(path: string): Format {
  const format = FORMATS[extname(path).toLowerCase()];
  if (!format) {
    throw new DataFileError({
      file: path,
      line: null,
      field: null,
      problem: `unsupported file extension "${extname(path) || "(none)"}"`,
      hint: "use .jsonl (one JSON object per line) or .csv with a header row",
    });
  }
  return format;
}

async function assertReadableFile(path: string): Promise<void> {
  try {
    const info = await stat(path);
    if (!info.isFile()) {
      throw new DataFileError({
        file: path,
        line: null,
        field: null,
        problem: "is not a regular file",
        hint: "pass the path of a .jsonl or .csv file, not a folder",
      });
    }
  } catch (err) {
    if (err instanceof DataFileError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new DataFileError(
      {
        file: path,
        line: null,
        field: null,
        problem: code === "ENOENT" ? "file not found" : `cannot read the file (${code ?? String(err)})`,
        hint: code === "ENOENT" ? `check the path; it resolves to ${resolve(path)}` : "check the path and its permissions",
      },
      { cause: err },
    );
  }
}

/** Physical lines (ended by \n or \r\n) with 1-based numbers; a leading byte-order mark is dropped.
 * Each line's bytes are decoded on their own (a newline byte never occurs inside a UTF-8 sequence),
 * so bytes that are not UTF-8 are an error naming their line instead of silent U+FFFD. */
async function* numberedLines(path: string): AsyncGenerator<{ line: number; text: string }> {
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  let line = 0;
  const decode = (bytes: Uint8Array): { line: number; text: string } => {
    line++;
    let text: string;
    try {
      text = decoder.decode(bytes);
    } catch (err) {
      throw new DataFileError({ file: path, line, field: null, problem: "is not valid UTF-8", hint: "save the file as UTF-8" }, { cause: err });
    }
    if (text.endsWith("\r")) text = text.slice(0, -1);
    return { line, text: line === 1 && text.startsWith("\uFEFF") ? text.slice(1) : text };
  };
  let carry: Buffer = Buffer.alloc(0);
  for await (const chunk of createReadStream(path)) {
    const data: Buffer = carry.length > 0 ? Buffer.concat([carry, chunk as Buffer]) : (chunk as Buffer);
    let start = 0;
    for (let end = data.indexOf(10, start); end !== -1; end = data.indexOf(10, start)) {
      yield decode(data.subarray(start, end));
      start = end + 1;
    }
    carry = Buffer.from(data.subarray(start));
  }
  if (carry.length > 0) yield decode(carry);
}

async function* jsonlRecords(path: string): AsyncGenerator<RawRecord> {
  for await (const { line, text } of numberedLines(path)) {
    if (text.trim() === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw new DataFileError(
        {
          file: path,
          line,
          field: null,
          problem: `malformed JSON: ${(err as Error).message}`,
          hint: "each line must hold exactly one JSON object",
        },
        { cause: err },
      );
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new DataFileError({
        file: path,
        line,
        field: null,
        problem: `expected a JSON object, got ${describeValue(value)}`,
        hint: "each line must hold exactly one JSON object",
      });
    }
    yield { line, fields: value as Record<string, unknown> };
  }
}

async function* csvRecords(path: string): AsyncGenerator<RawRecord> {
  const splitter = new CsvRecordSplitter();
  let header: string[] | null = null;
  let headerLine = 0;
  const fail = (err: unknown): never => {
    if (err instanceof CsvSyntaxError) {
      throw new DataFileError({ file: path, line: err.line, field: null, problem: err.message }, { cause: err });
    }
    throw err;
  };
  for await (const { line, text } of numberedLines(path)) {
    let record;
    try {
      record = splitter.push(text, line);
    } catch (err) {
      fail(err);
    }
    if (!record) continue;
    if (header === null) {
      header = record.cells.map((name) => name.trim());
      headerLine = record.line;
      const seen = new Set<string>();
      for (const name of header) {
        if (seen.has(name)) {
          throw new DataFileError({
            file: path,
            line: record.line,
            field: name,
            problem: "column appears twice in the header",
            hint: "give every column a distinct name",
          });
        }
        seen.add(name);
      }
      continue;
    }
    if (record.cells.length !== header.length) {
      throw new DataFileError({
        file: path,
        line: record.line,
        field: null,
        problem: `row has ${record.cells.length} cells but the header (line ${headerLine}) has ${header.length} columns`,
        hint: "quote cells that contain commas or line breaks",
      });
    }
    const fields: Record<string, unknown> = {};
    header.forEach((name, i) => {
      const cell = record.cells[i];
      // An empty cell is an absent field, so optional columns may be left blank.
      if (cell !== undefined && cell !== "") fields[name] = cell;
    });
    yield { line: record.line, fields };
  }
  try {
    splitter.finish();
  } catch (err) {
    fail(err);
  }
}

function recordKind(fields: Record<string, unknown>): TaskKind | null {
  if ("tokens" in fields || "tags" in fields) return "token";
  if ("text" in fields || "label" in fields) return "classification";
  return null;
}

/** CSV cells are strings: split token columns on whitespace and read weights as numbers. */
function coerceCsvFields(fields: Record<string, unknown>, kind: TaskKind): Record<string, unknown> {
  const out = { ...fields };
  const splitColumns = kind === "token" ? ["tokens", "tags", "pred"] : [];
  for (const name of splitColumns) {
    const cell = out[name];
    if (typeof cell === "string") out[name] = cell.trim() === "" ? [] : cell.trim().split(/\s+/);
  }
  const weight = out.weight;
  if (typeof weight === "string" && weight.trim() !== "" && Number.isFinite(Number(weight))) {
    out.weight = Number(weight);
  }
  return out;
}

class ExampleCollector {
  private kind: TaskKind | null;
  private kindLine: number | null = null;
  private readonly classification: ClassificationExample[] = [];
  private readonly token: TokenExample[] = [];
  private readonly idLines = new Map<string, number>();
  private readonly lines: number[] = [];
  private readonly idPrefix: string;

  constructor(
    private readonly path: string,
    opts: ReadExamplesOptions,
    private readonly format: Format,
  ) {
    this.kind = opts.kind ?? null;
    this.idPrefix = opts.idPrefix ?? basename(path, extname(path));
  }

  add({ line, fields }: RawRecord): void {
    if ("target" in fields && !("label" in fields) && !("tags" in fields)) {
      throw this.error(line, null, `this is a generation record (it has ${describeFields(fields)}), not a classification or token example`, "generation data is read with --kind generation");
    }
    const kind = this.kindFor(line, fields);
    const values = this.format === "csv" ? coerceCsvFields(fields, kind) : fields;
    const candidate = { ...values, id: this.idFor(line, values.id) };
    if (kind === "token") {
      const parsed = TokenExample.safeParse(candidate);
      if (!parsed.success) throw this.issueError(line, candidate, parsed.error.issues);
      this.claimId(parsed.data.id, line);
      this.lines.push(line);
      // Tags are read as strict IOB2: an I-X that does not continue an X entity starts one (B-X),
      // as real data sets have it (restaurant8k: 9 sentences with I-time right after I-date).
      this.token.push({ ...parsed.data, tags: repairBio(parsed.data.tags) });
    } else {
      const parsed = ClassificationExample.safeParse(candidate);
      if (!parsed.success) throw this.issueError(line, candidate, parsed.error.issues);
      this.claimId(parsed.data.id, line);
      this.lines.push(line);
      this.classification.push(parsed.data);
    }
  }

  private claimId(id: string, line: number): void {
    const firstLine = this.idLines.get(id);
    if (firstLine !== undefined) {
      throw this.error(
        line,
        "id",
        `duplicate id "${id}" (lines ${firstLine} and ${line})`,
        "ids must be unique within a file; rename one, or drop the id field to use line-based ids",
      );
    }
    this.idLines.set(id, line);
  }

  finish(): Dataset {
    if (this.kind === null || this.idLines.size === 0) {
      throw new DataFileError({
        file: this.path,
        line: null,
        field: null,
        problem: this.format === "csv" ? "has no examples (no rows after the header)" : "has no examples (the file is empty or only blank lines)",
        hint: "add at least one record",
      });
    }
    return this.kind === "token"
      ? { kind: "token", path: this.path, examples: this.token, lines: this.lines }
      : { kind: "classification", path: this.path, examples: this.classification, lines: this.lines };
  }

  private kindFor(line: number, fields: Record<string, unknown>): TaskKind {
    const own = recordKind(fields);
    if (this.kind === null) {
      if (own === null) {
        throw this.error(
          line,
          null,
          `cannot tell the task kind: expected "text"+"label" (classification) or "tokens"+"tags" (token), found ${describeFields(fields)}`,
          "rename the columns, or pass { kind } to readExamples",
        );
      }
      this.kind = own;
      this.kindLine = line;
      return own;
    }
    const mismatch =
      this.kind === "classification"
        ? own === "token" && !("text" in fields && "label" in fields)
        : own === "classification";
    if (mismatch && own !== null) {
      const origin = this.kindLine === null ? "as requested" : `detected from line ${this.kindLine}`;
      throw this.error(
        line,
        null,
        `this is a ${own} record (it has ${describeFields(fields)}) but the file holds ${this.kind} examples (${origin})`,
        "keep one task kind per file",
      );
    }
    return this.kind;
  }

  private idFor(line: number, raw: unknown): string {
    if (raw === undefined || raw === null) return `${this.idPrefix}:${line}`;
    if (typeof raw === "number" && Number.isFinite(raw)) return String(raw);
    if (typeof raw === "string" && raw !== "") return raw;
    throw this.error(line, "id", `expected a non-empty string or a number, got ${describeValue(raw)}`);
  }

  private issueError(line: number, candidate: Record<string, unknown>, issues: readonly z.core.$ZodIssue[]): DataFileError {
    return recordIssueError(this.path, line, candidate, issues);
  }

  private error(line: number, field: string | null, problem: string, hint?: string): DataFileError {
    return new DataFileError({ file: this.path, line, field, problem, ...(hint ? { hint } : {}) });
  }
}

/** The first schema issue of a record as a DataFileError naming file, line and field (and, inside
 * an array, the index). */
export function recordIssueError(file: string, line: number, candidate: Record<string, unknown>, issues: readonly z.core.$ZodIssue[]): DataFileError {
  const error = (field: string | null, problem: string) => new DataFileError({ file, line, field, problem });
  const issue = issues[0];
  if (!issue) return error(null, "invalid record");
  const [head, ...rest] = issue.path;
  const field = head === undefined ? null : String(head);
  const topValue = field === null ? candidate : candidate[field];
  if (field !== null && topValue === undefined) return error(field, `missing; ${issue.message}`);
  if (issue.code === "custom") return error(field, issue.message);
  const value = rest.reduce<unknown>(
    (v, key) => (typeof v === "object" && v !== null ? (v as Record<PropertyKey, unknown>)[key] : undefined),
    topValue,
  );
  const at = rest.length > 0 ? `at index ${rest.map(String).join(".")}: ` : "";
  return error(field, `${at}${issue.message}, got ${describeValue(value)}`);
}

export function describeFields(fields: Record<string, unknown>): string {
  const names = Object.keys(fields);
  return names.length === 0 ? "no fields" : `fields ${names.map((n) => `"${n}"`).join(", ")}`;
}
