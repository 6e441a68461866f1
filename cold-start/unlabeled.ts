import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import { ClassificationExample, DataFileError, describeValue, parseCsv } from "../data/index.ts";

/** A message of real traffic: an id and its text, no label. */
export interface TrafficMessage {
  id: string;
  text: string;
}

const text = ClassificationExample.shape.text;

/** Real unlabeled traffic: JSONL with a `text` field (other fields ignored; `id` kept when present)
 * or CSV with a `text` column. Errors name file, line and field; blank lines are skipped. */
export async function readUnlabeled(path: string): Promise<TrafficMessage[]> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new DataFileError({ file: path, line: null, field: null, problem: `cannot read the file (${(err as NodeJS.ErrnoException).code ?? String(err)})` }, { cause: err });
  }
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
  const lines: string[] = [];
  let start = 0;
  for (let line = 1; start <= bytes.length; line++) {
    const end = bytes.indexOf(10, start) === -1 ? bytes.length : bytes.indexOf(10, start);
    try {
      lines.push(decoder.decode(bytes.subarray(start, end)).replace(/\r$/, ""));
    } catch {
      throw new DataFileError({ file: path, line, field: null, problem: "is not valid UTF-8", hint: "save the file as UTF-8" });
    }
    start = end + 1;
  }
  const messages: TrafficMessage[] = [];
  const add = (fields: Record<string, unknown>, line: number) => {
    const parsed = text.safeParse(fields.text);
    if (!parsed.success) throw new DataFileError({ file: path, line, field: "text", problem: `${parsed.error.issues[0]?.message ?? "invalid"}, got ${describeValue(fields.text)}` });
    const id = typeof fields.id === "string" && fields.id ? fields.id : typeof fields.id === "number" ? String(fields.id) : `traffic:${line}`;
    messages.push({ id, text: parsed.data });
  };
  if (extname(path).toLowerCase() === ".csv") {
    let records;
    try {
      records = parseCsv(lines.join("\n"));
    } catch (err) {
      throw new DataFileError({ file: path, line: (err as { line?: number }).line ?? null, field: null, problem: (err as Error).message }, { cause: err });
    }
    const [header, ...rows] = records;
    const column = header?.cells.map((c) => c.trim()).indexOf("text") ?? -1;
    if (!header || column === -1) throw new DataFileError({ file: path, line: 1, field: "text", problem: "the header has no text column" });
    for (const row of rows) add({ text: row.cells[column] }, row.line);
  } else {
    lines.forEach((raw, i) => {
      if (raw.trim() === "") return;
      let value: unknown;
      try {
        value = JSON.parse(raw);
      } catch (err) {
        throw new DataFileError({ file: path, line: i + 1, field: null, problem: `malformed JSON: ${(err as Error).message}` });
      }
      if (typeof value !== "object" || value === null || Array.isArray(value)) throw new DataFileError({ file: path, line: i + 1, field: null, problem: `expected a JSON object, got ${describeValue(value)}` });
      add(value as Record<string, unknown>, i + 1);
    });
  }
  if (messages.length === 0) throw new DataFileError({ file: path, line: null, field: null, problem: "holds no messages" });
  const seen = new Set<string>();
  for (const m of messages) {
    if (seen.has(m.id)) m.id = `${m.id}#${seen.size}`; // ids of traffic are the user's; keep them unique
    seen.add(m.id);
  }
  return messages;
}
