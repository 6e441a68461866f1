import { ClassificationExample, DataFileError, dataFileRecords, describeValue } from "../data/index.ts";

/** A message of real traffic: an id and its text, no label. */
export interface TrafficMessage {
  id: string;
  text: string;
}

const text = ClassificationExample.shape.text;

/** Real unlabeled traffic: JSONL with a `text` field (other fields ignored; `id` kept when present)
 * or CSV with a `text` column, read by the example readers' record layer (same syntax, encoding and
 * line errors). Errors name file, line and field; blank lines are skipped. */
export async function readUnlabeled(path: string): Promise<TrafficMessage[]> {
  const messages: TrafficMessage[] = [];
  const seen = new Set<string>();
  for await (const { line, fields } of dataFileRecords(path)) {
    const parsed = text.safeParse(fields.text);
    if (!parsed.success) {
      const problem = fields.text === undefined ? "missing; every message needs its text" : `${parsed.error.issues[0]?.message ?? "invalid"}, got ${describeValue(fields.text)}`;
      throw new DataFileError({ file: path, line, field: "text", problem });
    }
    const given = typeof fields.id === "string" && fields.id ? fields.id : typeof fields.id === "number" ? String(fields.id) : `traffic:${line}`;
    const id = seen.has(given) ? `${given}#${line}` : given; // the user's ids need not be unique
    seen.add(id);
    messages.push({ id, text: parsed.data });
  }
  if (messages.length === 0) throw new DataFileError({ file: path, line: null, field: null, problem: "holds no messages" });
  return messages;
}
