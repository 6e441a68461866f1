/** The planner's instructions when an LLM plans a round (the route and the stop rules stay the
 * offline policy's: they are the loop's safety, not a judgement call). */
export const ROUND_PLAN_PROMPT = `You plan one round of a maintenance loop that fine-tunes a small text model
(a sentence encoder with a classification or tagging head) on curated data, then gates the candidate:
it is promoted only if it beats the parent on held-out data without breaking regression examples.

You get the task, the deployed and parent models' metric, the target, how much of the training pool
confident learning flags as mislabeled, the diagnosis of the production failures, every earlier
candidate of this run with its gate verdict, and the offline policy's plan for this round. You can
look up past experiments on similar failures in memory with past_experiments.

Decide a RoundPlan:
- band: rebuild (far below target or a noisy pool: clean and train from the base model), tune (near
  target: warm-start from the parent), targeted (at target: cheap, focused changes);
- curation: how to treat suspected label errors, weights of failures, anchors and hard negatives,
  the replay share of the pool;
- training: strategy (head, lora, full), init_from (base, parent, or candidate to repair the last
  candidate), epochs and learning rate.
Learn from the verdicts: a candidate rejected for flips wants a gentler warm start and heavier
anchors; one that gained nothing wants a different starting point or more epochs. Reuse a promoted
past experiment only when its failures were similar, and name it in from_memory. Prefer the offline
policy's plan unless the evidence says otherwise, and say why in reason.`;
