import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { readUnlabeled } from "../../cold-start/unlabeled.ts";
import { type Example, readExamples, writeExamplesJsonl } from "../../data/index.ts";
import { writeFileAtomic } from "../../lib/atomic-write.ts";
import { predictFile } from "../../trainer/launcher.ts";
import { readModelDir } from "../../trainer/model-dir.ts";
import { resolveModelDir } from "../context.ts";
import { UsageError } from "../usage-error.ts";

export const PREDICT_USAGE = `pioneer predict --model DIR|ID --data INPUT.jsonl|csv --out PREDICTIONS.jsonl [--registry DIR]
  one JSON line per input: label, confidence, below_threshold and probs (classification),
  or tags, confidences and entity spans (token), or the output text (generation: inputs need only
  "text"); input files use the training format`;

/** The output must be a file in an existing folder: checked before any prediction runs. */
async function checkOutputFile(path: string): Promise<void> {
  const info = await stat(path).catch(() => null);
  if (info?.isDirectory()) throw new UsageError(`--out ${path} is a folder; name the predictions file, e.g. ${join(path, "predictions.jsonl")}`);
  const folder = await stat(dirname(path)).catch(() => null);
  if (!folder?.isDirectory()) throw new UsageError(`--out ${path}: the folder ${dirname(path)} does not exist; create it first`);
}

export async function predictCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: { model: { type: "string" }, data: { type: "string" }, out: { type: "string" }, registry: { type: "string" } },
  });
  if (!values.model || !values.data || !values.out) throw new UsageError("predict needs --model, --data and --out");
  await checkOutputFile(resolve(values.out));
  const model = await resolveModelDir(values.model, values.registry);
  const manifest = await readModelDir(model.dir);
  // A generation model needs only the inputs' text.
  const examples = manifest.kind === "generation" ? (await readUnlabeled(values.data)).map((m) => ({ id: m.id, text: m.text })) : (await readExamples(values.data, { kind: manifest.kind })).examples;
  const work = await mkdtemp(join(tmpdir(), "pioneer-predict-"));
  try {
    if (manifest.kind === "generation") await writeFileAtomic(join(work, "input.jsonl"), examples.map((e) => `${JSON.stringify(e)}\n`).join(""));
    else await writeExamplesJsonl(join(work, "input.jsonl"), examples as Example[]);
    const done = await predictFile(model.dir, join(work, "input.jsonl"), resolve(values.out));
    console.error(`${done.metrics.n} predictions written to ${values.out} (${done.metrics.examples_per_s} examples/s)`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
