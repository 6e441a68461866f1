import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DataFileError } from "../data/index.ts";
import { REPO_ROOT } from "../lib/repo-root.ts";
import { WorkerCrashedError, WorkerReportedError } from "../trainer/worker-errors.ts";
import { COLD_START_USAGE, coldStartCommand } from "./commands/cold-start.ts";
import { DEMO_USAGE, demoCommand } from "./commands/demo.ts";
import { EVAL_USAGE, evalCommand } from "./commands/eval.ts";
import { MAINTAIN_USAGE } from "./commands/maintain-usage.ts";
import { MODELS_USAGE, modelsCommand } from "./commands/models.ts";
import { PREDICT_USAGE, predictCommand } from "./commands/predict.ts";
import { RUNS_USAGE, runsCommand } from "./commands/runs.ts";
import { TRAIN_USAGE, trainCommand } from "./commands/train.ts";
import { UsageError } from "./usage-error.ts";

const COMMANDS: Record<string, { run: (argv: string[]) => Promise<void>; usage: string }> = {
  train: { run: trainCommand, usage: TRAIN_USAGE },
  eval: { run: evalCommand, usage: EVAL_USAGE },
  predict: { run: predictCommand, usage: PREDICT_USAGE },
  models: { run: modelsCommand, usage: MODELS_USAGE },
  // Loaded on demand: it pulls in LangGraph, LanceDB and the agents.
  maintain: { run: async (argv) => (await import("./commands/maintain.ts")).maintainCommand(argv), usage: MAINTAIN_USAGE },
  "cold-start": { run: coldStartCommand, usage: COLD_START_USAGE },
  runs: { run: runsCommand, usage: RUNS_USAGE },
  demo: { run: demoCommand, usage: DEMO_USAGE },
};

const USAGE = `pioneer — fine-tune, evaluate and version small language models (pioneer --version)\n\n${Object.values(COMMANDS)
  .map((c) => c.usage)
  .join("\n\n")}`;

/** The version in package.json. */
function version(): string {
  return (JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { version: string }).version;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === "--version" || name === "-V" || name === "version") {
    console.log(`pioneer ${version()}`);
    return 0;
  }
  if (!name || name === "help" || name === "--help" || name === "-h") {
    console.log(USAGE);
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    console.log(command.usage);
    return 0;
  }
  try {
    await command.run(rest);
    return 0;
  } catch (err) {
    if (err instanceof DataFileError) {
      console.error(`error: ${err.message}`);
      return 2;
    }
    if (err instanceof UsageError || (err instanceof TypeError && "code" in err && String(err.code).startsWith("ERR_PARSE_ARGS"))) {
      console.error(`error: ${(err as Error).message}\n\n${command.usage}`);
      return 2;
    }
    if (err instanceof WorkerReportedError || err instanceof WorkerCrashedError) {
      console.error(`error: ${err.message}`);
      if (err.stderrTail && err instanceof WorkerReportedError) console.error(err.stderrTail.split("\n").slice(-8).join("\n"));
      return 1;
    }
    console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
