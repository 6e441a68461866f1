import fc from "fast-check";
import { writeFile } from "node:fs/promises";
import { DataFileError, readExamples, type TaskKind } from "../data/index.ts";

/**
 * Generated data files for the readers' fuzz suite: a valid file of classification or token
 * examples (JSONL or CSV; blank lines, CRLF, a byte-order mark, quoted line breaks), and the same
 * file with one fault planted in one record, with where the reader must report it (line and field).
 */
export type Format = "jsonl" | "csv";

export interface DataFileCase {
  kind: TaskKind;
  format: Format;
  bytes: Uint8Array;
  /** Examples the file holds when it is valid. */
  records: number;
  /** The planted fault, or null for a valid file. */
  fault: PlantedFault | null;
}

export interface PlantedFault {
  /** A name for the kind of fault, for the counts. */
  name: string;
  /** 1-based line where the faulty record starts. */
  line: number;
  /** The field the error must name, or null when the fault is the line's (syntax, encoding). */
  field: string | null;
}

type Fields = Record<string, unknown>;

/** How one record is broken: its fields changed, or its rendered text replaced. */
interface Fault {
  name: string;
  kinds: readonly TaskKind[];
  formats: readonly Format[];
  field: string | null;
  /** Only on the file's last record (an unclosed quote swallows what follows). */
  last?: boolean;
  /** Never on the first record (which sets the file's task kind). */
  notFirst?: boolean;
  fields?: (f: Fields) => Fields;
  /** Rewrites the record's rendered text (JSON line or CSV row). */
  text?: (rendered: string) => string;
  /** Bytes put in the middle of the record's rendered text (invalid UTF-8). */
  bytes?: Uint8Array;
}

const WORDS = ["card", "refund", "where", "is", "my", "top-up", "café", "naïve", "日本", "🙂", "it's", "say \"hi\"", "a,b", "x"];
const LABELS = ["card_arrival", "refund", "top_up", "exchange rate"];
const TYPES = ["PER", "LOC", "time"];

const word = fc.constantFrom(...WORDS.filter((w) => !/[ ",]/.test(w)));
const text = fc.array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 6 }).chain((words) =>
  fc.constantFrom(words.join(" "), words.join("\n"), ` ${words.join(" ")}`),
);
const bioTags = (n: number) =>
  fc.array(fc.constantFrom("O", ...TYPES.flatMap((t) => [`B-${t}`, `I-${t}`])), { minLength: n, maxLength: n }).map((tags) =>
    // Valid IOB2, so a valid file reads back unchanged: an I-X continues an X.
    tags.map((t, i) => (t.startsWith("I-") && tags[i - 1]?.slice(2) !== t.slice(2) ? `B-${t.slice(2)}` : t)),
  );

const classificationRecord = fc.record(
  { text, label: fc.constantFrom(...LABELS), weight: fc.constantFrom(0.5, 1, 2.5, 1e6) },
  { requiredKeys: ["text", "label"] },
);
const tokenRecord = fc.array(word, { minLength: 1, maxLength: 6 }).chain((tokens) =>
  fc.record({ tokens: fc.constant(tokens), tags: bioTags(tokens.length), weight: fc.constantFrom(0.5, 2) }, { requiredKeys: ["tokens", "tags"] }),
);

const set = (field: string, value: unknown) => (f: Fields): Fields => ({ ...f, [field]: value });
const drop = (field: string) => (f: Fields): Fields => Object.fromEntries(Object.entries(f).filter(([k]) => k !== field));
const both = ["classification", "token"] as const;
const jsonl = ["jsonl"] as const;
const anyFormat = ["jsonl", "csv"] as const;
const cls = ["classification"] as const;
const tok = ["token"] as const;

/** Every fault the readers must report, each with the field they must name. */
export const FAULTS: readonly Fault[] = [
  { name: "malformed JSON", kinds: both, formats: jsonl, field: null, text: (s) => s.slice(0, -2) },
  { name: "not an object", kinds: both, formats: jsonl, field: null, text: () => "[1, 2]" },
  { name: "missing text", kinds: cls, formats: jsonl, field: "text", fields: drop("text") },
  { name: "empty label", kinds: cls, formats: anyFormat, field: "label", fields: set("label", "") },
  { name: "text not a string", kinds: cls, formats: jsonl, field: "text", fields: set("text", 42) },
  { name: "label not a string", kinds: cls, formats: jsonl, field: "label", fields: set("label", ["refund"]) },
  { name: "whitespace-only text", kinds: cls, formats: anyFormat, field: "text", fields: set("text", " \t ") },
  { name: "label of spaces", kinds: cls, formats: anyFormat, field: "label", fields: set("label", "   ") },
  { name: "label with trailing space", kinds: cls, formats: anyFormat, field: "label", fields: (f) => ({ ...f, label: `${String(f.label)} ` }) },
  { name: "NUL in text", kinds: cls, formats: anyFormat, field: "text", fields: (f) => ({ ...f, text: `${String(f.text)}\u0000` }) },
  { name: "lone surrogate in text", kinds: cls, formats: jsonl, field: "text", fields: (f) => ({ ...f, text: `${String(f.text)}\uD800` }) },
  { name: "invalid UTF-8", kinds: both, formats: anyFormat, field: null, bytes: new Uint8Array([0xff, 0xe2, 0x82]) },
  { name: "weight zero", kinds: both, formats: anyFormat, field: "weight", fields: set("weight", 0) },
  { name: "weight negative", kinds: both, formats: anyFormat, field: "weight", fields: set("weight", -1) },
  { name: "weight 1e300", kinds: both, formats: anyFormat, field: "weight", fields: set("weight", 1e300) },
  { name: "weight 1e400", kinds: both, formats: jsonl, field: "weight", fields: drop("weight"), text: (s) => s.replace(/\}$/, ', "weight": 1e400}') },
  { name: "weight not a number", kinds: both, formats: anyFormat, field: "weight", fields: set("weight", "heavy") },
  { name: "empty id", kinds: both, formats: jsonl, field: "id", fields: set("id", "") },
  { name: "id an object", kinds: both, formats: jsonl, field: "id", fields: set("id", { a: 1 }) },
  { name: "stage not a string", kinds: both, formats: jsonl, field: "stage", fields: set("stage", 3) },
  { name: "token record in a classification file", kinds: cls, formats: jsonl, field: null, notFirst: true, text: () => '{"tokens": ["a"], "tags": ["O"]}' },
  { name: "extra CSV cell", kinds: both, formats: ["csv"], field: null, text: (s) => `${s},extra` },
  { name: "unclosed CSV quote", kinds: cls, formats: ["csv"], field: null, last: true, text: (s) => `"${s}` },
  { name: "tags shorter than tokens", kinds: tok, formats: anyFormat, field: "tags", fields: (f) => ({ ...f, tokens: [...(f.tokens as string[]), "more"] }) },
  { name: "tag not BIO", kinds: tok, formats: anyFormat, field: "tags", fields: (f) => ({ ...f, tags: ["X-PER", ...(f.tags as string[]).slice(1)] }) },
  { name: "tag B- without a type", kinds: tok, formats: anyFormat, field: "tags", fields: (f) => ({ ...f, tags: ["B-", ...(f.tags as string[]).slice(1)] }) },
  { name: "token with a space", kinds: tok, formats: jsonl, field: "tokens", fields: (f) => ({ ...f, tokens: ["new york", ...(f.tokens as string[]).slice(1)] }) },
  { name: "whitespace-only token", kinds: tok, formats: jsonl, field: "tokens", fields: (f) => ({ ...f, tokens: [" ", ...(f.tokens as string[]).slice(1)] }) },
  { name: "empty token list", kinds: tok, formats: jsonl, field: "tokens", fields: (f) => ({ ...f, tokens: [], tags: [] }) },
  { name: "tokens not a list", kinds: tok, formats: jsonl, field: "tokens", fields: set("tokens", "a b") },
  { name: "NUL in token", kinds: tok, formats: jsonl, field: "tokens", fields: (f) => ({ ...f, tokens: ["a\u0000", ...(f.tokens as string[]).slice(1)] }) },
];

/** The columns of a CSV file of this kind, in order. */
function columnsOf(kind: TaskKind): string[] {
  return kind === "classification" ? ["id", "text", "label", "weight"] : ["id", "tokens", "tags", "weight"];
}

function csvCell(value: unknown): string {
  if (value === undefined) return "";
  const s = Array.isArray(value) ? value.join(" ") : String(value);
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function render(kind: TaskKind, format: Format, fields: Fields): string {
  if (format === "jsonl") return JSON.stringify(fields);
  return columnsOf(kind).map((c) => csvCell(fields[c])).join(",");
}

const encoder = new TextEncoder();

interface Layout {
  kind: TaskKind;
  format: Format;
  records: Fields[];
  /** Blank lines before each record. */
  blanks: number[];
  crlf: boolean;
  bom: boolean;
}

/** Renders a file, planting `fault` in record `at`; returns the bytes and where that record starts. */
function build(layout: Layout, fault: Fault | null, at: number): { bytes: Uint8Array; line: number } {
  const eol = layout.crlf ? "\r\n" : "\n";
  const parts: Uint8Array[] = [];
  let line = 1;
  let faultLine = 0;
  const push = (s: string) => {
    parts.push(encoder.encode(s));
    line += (s.match(/\n/g) ?? []).length;
  };
  if (layout.bom) parts.push(new Uint8Array([0xef, 0xbb, 0xbf]));
  if (layout.format === "csv") push(`${columnsOf(layout.kind).join(",")}${eol}`);
  layout.records.forEach((record, i) => {
    push(eol.repeat(layout.blanks[i] ?? 0));
    const broken = fault && i === at;
    if (broken) faultLine = line;
    const fields = broken && fault.fields ? fault.fields(record) : record;
    let rendered = render(layout.kind, layout.format, fields).replace(/\n/g, eol);
    if (broken && fault.text) rendered = fault.text(rendered);
    if (broken && fault.bytes) {
      const middle = rendered.length >> 1;
      push(rendered.slice(0, middle));
      faultLine = line; // the bad bytes' own line, inside a quoted line break or not
      parts.push(fault.bytes);
      push(`${rendered.slice(middle)}${eol}`);
    } else {
      push(`${rendered}${eol}`);
    }
  });
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    bytes.set(p, offset);
    offset += p.length;
  }
  return { bytes, line: faultLine };
}

function layoutOf(kind: TaskKind, format: Format): fc.Arbitrary<Layout> {
  const record: fc.Arbitrary<Fields> = kind === "classification" ? classificationRecord : tokenRecord;
  return fc
    .record({
      records: fc.array(record, { minLength: 1, maxLength: 8 }),
      withIds: fc.boolean(),
      blanks: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 8, maxLength: 8 }),
      crlf: fc.boolean(),
      bom: fc.boolean(),
    })
    .map(({ records, withIds, blanks, crlf, bom }) => ({
      kind,
      format,
      records: records.map((r, i) => (withIds ? { id: `ex-${i}`, ...r } : r)),
      blanks,
      crlf,
      bom,
    }));
}

const kindAndFormat = fc.tuple(fc.constantFrom<TaskKind>("classification", "token"), fc.constantFrom<Format>("jsonl", "csv"));

/** Valid files: the reader must accept every one, with all its records. */
export const validDataFile: fc.Arbitrary<DataFileCase> = kindAndFormat.chain(([kind, format]) =>
  layoutOf(kind, format).map((layout) => ({ kind, format, bytes: build(layout, null, -1).bytes, records: layout.records.length, fault: null })),
);

/** A valid file with one fault planted in one record. */
export const malformedDataFile: fc.Arbitrary<DataFileCase> = kindAndFormat
  .chain(([kind, format]) => {
    const faults = FAULTS.filter((f) => f.kinds.includes(kind) && f.formats.includes(format));
    return fc.tuple(layoutOf(kind, format), fc.constantFrom(...faults), fc.nat());
  })
  .map(([drawn, fault, n]) => {
    const layout = fault.notFirst && drawn.records.length === 1 ? { ...drawn, records: [drawn.records[0]!, { ...drawn.records[0]!, ...("id" in drawn.records[0]! ? { id: "ex-second" } : {}) }] } : drawn;
    const len = layout.records.length;
    const at = fault.last ? len - 1 : fault.notFirst ? 1 + (n % (len - 1)) : n % len;
    const { bytes, line } = build(layout, fault, at);
    return { kind: layout.kind, format: layout.format, bytes, records: layout.records.length, fault: { name: fault.name, line, field: fault.field } };
  });

/** Duplicate ids: the second record with an id already used. */
export const duplicateIdFile: fc.Arbitrary<DataFileCase> = kindAndFormat.chain(([kind, format]) =>
  layoutOf(kind, format)
    .filter((l) => l.records.length >= 2)
    .map((layout) => {
      const records = layout.records.map((r, i) => ({ ...r, id: i === layout.records.length - 1 ? "dup" : i === 0 ? "dup" : `ex-${i}` }));
      const withFault = { ...layout, records };
      const { bytes, line } = build(withFault, { name: "duplicate id", kinds: both, formats: anyFormat, field: "id" }, records.length - 1);
      return { kind, format, bytes, records: records.length, fault: { name: "duplicate id", line, field: "id" } };
    }),
);

/** What a reader did with a case: a valid file accepted whole; a fault reported as a
 * DataFileError at its line and field ("clear"), elsewhere ("misplaced"), not at all ("silent"), or
 * by any other exception ("crash"). */
export type ReadOutcome = "accepted" | "rejected valid" | "clear" | "misplaced" | "silent" | "crash";

export interface ReadResult {
  outcome: ReadOutcome;
  /** The error's message, or what was wrong with an acceptance. */
  detail: string;
}

/** The reader under test: this checkout's, or another's (the fuzz benchmark compares versions). */
export interface Reader {
  readExamples: (path: string) => Promise<{ kind: TaskKind; examples: unknown[] }>;
  DataFileError: new (...args: never[]) => Error & { file: string; line: number | null; field: string | null };
}

/** Writes the case to `path` (its extension must match the format) and reads it back. */
export async function readCase(c: DataFileCase, path: string, reader: Reader = { readExamples, DataFileError }): Promise<ReadResult> {
  await writeFile(path, c.bytes);
  try {
    const dataset = await reader.readExamples(path);
    if (c.fault) return { outcome: "silent", detail: `accepted ${dataset.examples.length} examples` };
    const whole = dataset.kind === c.kind && dataset.examples.length === c.records;
    return { outcome: whole ? "accepted" : "rejected valid", detail: `read ${dataset.examples.length} ${dataset.kind} examples of ${c.records}` };
  } catch (err) {
    if (!(err instanceof reader.DataFileError)) return { outcome: "crash", detail: String((err as Error)?.stack ?? err) };
    if (!c.fault) return { outcome: c.records === 0 ? "clear" : "rejected valid", detail: err.message }; // records 0: bytes with no expectation
    const placed = err.file === path && err.line === c.fault.line && (c.fault.field === null || err.field === c.fault.field) && err.message.startsWith(`${path}:${c.fault.line}: `);
    return { outcome: placed ? "clear" : "misplaced", detail: err.message };
  }
}
