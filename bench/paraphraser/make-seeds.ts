// The cold-start benchmark's seeds (bench/cold-start.ts): seededShuffle(train, 20261130), the first
// N of each label.  npx tsx bench/paraphraser/make-seeds.ts snips OUT.jsonl [N]
import { writeFileSync } from "node:fs";
import { type ClassificationExample, readExamples, seededShuffle } from "../../data/index.ts";
import { datasetPath } from "../../data/shared-datasets.ts";

async function main(): Promise<void> {
  const [name = "snips", out = `${name}-seeds.jsonl`, per = "5"] = process.argv.slice(2);
  const train = (await readExamples(datasetPath(name, "train"), { kind: "classification" })).examples as ClassificationExample[];
  const labels = [...new Set(train.map((e) => e.label))].sort();
  const shuffled = seededShuffle(train, 20261130);
  const seeds = labels.flatMap((l) => shuffled.filter((e) => e.label === l).slice(0, Number(per)));
  writeFileSync(out, seeds.map((e) => `${JSON.stringify({ id: e.id, text: e.text, label: e.label })}\n`).join(""));
  console.log(`${out}: ${seeds.length} seeds, ${labels.length} labels`);
}
void main();
