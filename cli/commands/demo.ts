import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { type Example, everyNth, readExamples, writeExamplesJsonl } from "../../data/index.ts";
import { datasetPath } from "../../data/shared-datasets.ts";
import { evalCommand } from "./eval.ts";
import { trainCommand } from "./train.ts";

export const DEMO_USAGE = `pioneer demo [--strategy full|lora|head] [--quick] [--out DIR]
  the main job on the embedded default: fine-tune MiniLM on BANKING77 (train, 10003 examples),
  register and promote it, then evaluate on the test split (3080). Full fine-tune on a 2-core CPU
  takes about 10 minutes; --quick trains on 1000 examples for 1 epoch and scores 500.`;

export async function demoCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      strategy: { type: "string", default: "full" },
      quick: { type: "boolean", default: false },
      out: { type: "string" },
      registry: { type: "string" },
    },
  });
  const runDir = resolve(values.out ?? join("runs", `demo-${new Date().toISOString().replace(/[:.]/g, "-")}`));
  let train = datasetPath("banking77", "train");
  let test = datasetPath("banking77", "test");
  if (values.quick) {
    const every = async (path: string, n: number) => everyNth<Example>((await readExamples(path)).examples, n);
    await writeExamplesJsonl(join(runDir, "train-slice.jsonl"), await every(train, 1000));
    await writeExamplesJsonl(join(runDir, "test-slice.jsonl"), await every(test, 500));
    train = join(runDir, "train-slice.jsonl");
    test = join(runDir, "test-slice.jsonl");
  }
  const registry = values.registry ? ["--registry", values.registry] : [];
  await trainCommand([
    "--data", train, "--out", join(runDir, "model"), "--strategy", values.strategy ?? "full", "--promote", ...registry,
    ...(values.quick ? ["--epochs", "1"] : []),
  ]);
  await evalCommand(["--model", join(runDir, "model"), "--data", test, ...registry]);
}
