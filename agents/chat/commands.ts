import type { ChatContext } from "./context.ts";
import { answerText, modelsText, runsText, statusText, whyText } from "./actions.ts";
import { followText } from "./run-actions.ts";

export const COMMANDS_HELP = [
  "status                     the promoted model and the runs, and what waits for you",
  "runs                       every run with its status",
  "models                     the registry's versions (* promoted)",
  "why RUN                    why a run ended as it did: rounds, verdicts, who decided, open failures",
  "follow RUN                 where a run got to, with the end of its log",
  "approve RUN [-- reason]    approve what RUN waits for (a promotion or a costly fine-tune)",
  "reject RUN [-- reason]     reject it: a rejected promotion keeps the parent",
].join("\n");

/** The command in a message, or null when it is free text. Commands have a strict shape (`why RUN`,
 * `approve RUN`, `approve RUN -- reason`), so a question that starts with "why" stays free text. */
export function parseCommand(text: string): { name: string; run?: string; reason?: string } | null {
  const [head, ...reasonParts] = text.trim().split(/\s+--\s+/);
  const [name, run, ...extra] = (head ?? "").split(/\s+/);
  const keyword = name?.toLowerCase() ?? "";
  if (["help", "status", "runs", "models"].includes(keyword)) return run === undefined && reasonParts.length === 0 ? { name: keyword } : null;
  if (!run || extra.length > 0) return null;
  if (keyword === "why" || keyword === "follow") return reasonParts.length === 0 ? { name: keyword, run } : null;
  if (keyword === "approve" || keyword === "reject") return { name: keyword, run, ...(reasonParts.length ? { reason: reasonParts.join(" -- ") } : {}) };
  return null;
}

/** The answer to a command: the same with or without a model, so commands never depend on one. */
export async function answerCommand(command: NonNullable<ReturnType<typeof parseCommand>>, ctx: ChatContext): Promise<string> {
  try {
    switch (command.name) {
      case "status":
        return await statusText(ctx);
      case "runs":
        return await runsText(ctx);
      case "models":
        return await modelsText(ctx);
      case "why":
        return await whyText(ctx, command.run!);
      case "follow":
        return await followText(ctx, command.run!);
      case "approve":
      case "reject":
        return await answerText(ctx, command.run!, command.name === "approve", command.reason);
      default:
        return `Commands:\n${COMMANDS_HELP}`;
    }
  } catch (err) {
    return `Could not ${command.name}${command.run ? ` ${command.run}` : ""}: ${(err as Error).message}`;
  }
}
