/** Named points where a crash is tested: with `PIONEER_FAILPOINT=<name>` in its environment, the
 * process kills itself with SIGKILL when it reaches that point, exactly as `kill -9` or an OOM kill
 * would (no handler, no cleanup, children orphaned). The kill-point suite
 * (`cli/maintain.kill-points.test.ts`) resumes each such run and checks that it ends as an
 * uninterrupted one. Unset, a failpoint costs one environment lookup. */
export const FAILPOINTS = {
  intake: "after intake validated the inputs, registered the deployed model and scored it",
  diagnosis: "after the diagnostician remembered its findings",
  curation: "after the data curator wrote the round's data version",
  training: "while the fine-tune runs, at its first progress event",
  evaluation: "after the candidate was scored, before the gate's verdict is acted on",
  registered: "after the candidate was registered, before the promoted pointer moves",
  promoted: "after the promoted pointer moved, before the experiment is remembered and checkpointed",
  remembered: "after the experiment went to memory, before the checkpoint",
  report: "after the report was written, before the final checkpoint",
} as const;

export type Failpoint = keyof typeof FAILPOINTS;

export function failpoint(name: Failpoint): void {
  if (process.env.PIONEER_FAILPOINT === name) process.kill(process.pid, "SIGKILL");
}
