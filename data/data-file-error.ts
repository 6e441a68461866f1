export interface DataFileErrorInit {
  /** The file as the caller named it. */
  file: string;
  /** 1-based line where the offending record starts, or null for a problem with the whole file. */
  line: number | null;
  /** The record field at fault, or null when no single field is. */
  field: string | null;
  /** What is wrong, e.g. `expected a non-empty string, got 42`. */
  problem: string;
  /** What to do about it; appended to the message. */
  hint?: string;
}

/** A data file that cannot be read as examples. The message has the shape
 * `banking.jsonl:17: field "label": expected a non-empty string, got 42`. */
export class DataFileError extends Error {
  override readonly name = "DataFileError";
  readonly file: string;
  readonly line: number | null;
  readonly field: string | null;
  readonly problem: string;

  constructor(init: DataFileErrorInit, options?: ErrorOptions) {
    const where = init.line === null ? init.file : `${init.file}:${init.line}`;
    const what = init.field === null ? init.problem : `field "${init.field}": ${init.problem}`;
    super(`${where}: ${what}${init.hint ? ` — ${init.hint}` : ""}`, options);
    this.file = init.file;
    this.line = init.line;
    this.field = init.field;
    this.problem = init.problem;
  }
}

/** A short, single-line rendering of a bad value for error messages. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "number" && !Number.isFinite(value)) return String(value); // JSON would say null
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
