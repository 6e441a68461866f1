/** RFC 4180 CSV, fed one physical line at a time so files can be streamed: fields may be quoted,
 * `""` inside quotes is a literal quote, and quoted fields may hold commas and newlines. */

export class CsvSyntaxError extends Error {
  override readonly name = "CsvSyntaxError";
  constructor(
    message: string,
    /** 1-based line where the broken record starts. */
    readonly line: number,
  ) {
    super(message);
  }
}

export interface CsvRecord {
  /** 1-based line where the record starts. */
  line: number;
  cells: string[];
}

/** Splits CSV records from a sequence of physical lines (without their line breaks). Blank lines
 * between records are skipped; a line break inside a quoted field is kept as `\n`. */
export class CsvRecordSplitter {
  private cells: string[] = [];
  private field = "";
  private inQuotes = false;
  private quoteClosed = false;
  private startLine = 0;

  /** Feeds one physical line; returns the completed record, or null while a quoted field is open
   * (or the line is blank). */
  push(text: string, line: number): CsvRecord | null {
    if (this.inQuotes) {
      this.field += "\n";
    } else {
      if (text === "") return null;
      this.startLine = line;
    }
    for (let i = 0; i < text.length; i++) {
      const ch = text[i];
      if (this.inQuotes) {
        if (ch === '"') {
          if (text[i + 1] === '"') {
            this.field += '"';
            i++;
          } else {
            this.inQuotes = false;
            this.quoteClosed = true;
          }
        } else {
          this.field += ch;
        }
      } else if (ch === ",") {
        this.cells.push(this.field);
        this.field = "";
        this.quoteClosed = false;
      } else if (this.quoteClosed) {
        const start = this.startLine;
        this.reset();
        throw new CsvSyntaxError(
          `malformed CSV: unexpected ${JSON.stringify(ch)} after a closing quote; a quoted field must end at a comma or the end of the line (write "" for a literal quote)`,
          start,
        );
      } else if (ch === '"' && this.field === "") {
        this.inQuotes = true;
      } else {
        this.field += ch;
      }
    }
    if (this.inQuotes) return null;
    this.cells.push(this.field);
    const record = { line: this.startLine, cells: this.cells };
    this.reset();
    return record;
  }

  /** Call at end of input: throws if a quoted field was never closed. */
  finish(): void {
    if (this.inQuotes) {
      const start = this.startLine;
      this.reset();
      throw new CsvSyntaxError(
        "malformed CSV: a quoted field is never closed; add the missing closing quote",
        start,
      );
    }
  }

  private reset(): void {
    this.cells = [];
    this.field = "";
    this.inQuotes = false;
    this.quoteClosed = false;
  }
}

/** Parses a whole CSV text (convenience for small inputs and tests). */
export function parseCsv(text: string): CsvRecord[] {
  const splitter = new CsvRecordSplitter();
  const records: CsvRecord[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    const record = splitter.push(line, index + 1);
    if (record) records.push(record);
  });
  splitter.finish();
  return records;
}
