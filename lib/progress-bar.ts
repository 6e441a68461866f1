import type { ProgressEvent } from "../trainer/worker-events.ts";

function formatSeconds(s: number | null | undefined): string {
  if (s === null || s === undefined || !Number.isFinite(s)) return "?";
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(Math.round(s % 60)).padStart(2, "0")}s` : `${Math.round(s)}s`;
}

/** One progress line for a worker progress event, e.g.
 * `train [########------------] 412/1565  26%  loss 1.234  96 ex/s  eta 3m02s` */
export function formatProgress(event: ProgressEvent, width = 24): string {
  const ratio = event.total > 0 ? Math.min(1, event.step / event.total) : 0;
  const filled = Math.round(ratio * width);
  const parts = [
    `${event.stage.padEnd(5)} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${event.step}/${event.total}`,
    `${String(Math.round(ratio * 100)).padStart(3)}%`,
  ];
  if (event.loss !== null && event.loss !== undefined) parts.push(`loss ${event.loss.toFixed(3)}`);
  if (event.examples_per_s) parts.push(`${Math.round(event.examples_per_s)} ex/s`);
  if (event.eta_s !== undefined) parts.push(`eta ${formatSeconds(event.eta_s)}`);
  return parts.join("  ");
}

/** Redraws one line on a TTY; on a pipe or in CI prints a line at most every `everyMs`. */
export function progressPrinter(stream: NodeJS.WriteStream = process.stderr, everyMs = 10_000) {
  let last = 0;
  return {
    update(event: ProgressEvent): void {
      const line = formatProgress(event);
      if (stream.isTTY) {
        stream.write(`\r${line}\x1b[K`);
        if (event.step >= event.total) stream.write("\n");
        return;
      }
      const now = Date.now();
      if (now - last >= everyMs || event.step >= event.total || event.step === 1) {
        last = now;
        stream.write(`${line}\n`);
      }
    },
  };
}
