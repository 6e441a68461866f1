import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import type { ChatContext } from "./context.ts";

/** A run folder from its id under the chat's runs folder, or from its path. */
export function runDirIn(ctx: ChatContext, run: string): string {
  for (const dir of [join(ctx.runsDir, run), resolve(run)]) if (existsSync(dir)) return dir;
  throw new Error(`no run "${run}" in ${ctx.runsDir}; say "runs" to list them`);
}
