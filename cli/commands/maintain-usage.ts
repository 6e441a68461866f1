import { GENERATION_RUN_USAGE } from "./generation-options.ts";

export const GENERATION_MAINTAIN_USAGE = `
  Generation models (--failures, --regression, --train and --dev are {"text","target"[,"rationale"]}
  JSONL): one round; per target strategy in the plan's order (the memory's winners on similar
  tasks first) a candidate warm-starts from the deployed model on the failures plus replayed
  training questions; the best that gains on the dev questions (default: every 5th failure, held
  out) and breaks at most --epsilon regression questions is promoted.
  --task TEXT            the task in words (default: as the cold start recorded it with the model)
  --replay X             training questions replayed per failure (default 1)
  --llm off|endpoint     with an endpoint the LLM planner picks each next strategy from the evidence
${GENERATION_RUN_USAGE}`;

export const MAINTAIN_USAGE = `pioneer maintain --model DIR|ID --train TRAIN.jsonl --regression GOLDEN.jsonl --failures FAILURES.jsonl
                 [--dev DEV.jsonl] [--rounds N] [--minutes N] [--epsilon 2] [--delta 0.1] [--target X]
                 [--memory DIR] [--run-dir DIR] [--allow-new-labels] [--oos-label LABEL] [--max-epochs N]
                 [--approve-promotion] [--approve-training-over N]
                 [--llm off|endpoint] [--llm-budget-tokens N] [--llm-max-tries 2] [--json]
pioneer maintain --model DIR|ID --train TRAIN.jsonl --log LOG.jsonl [options as above]
pioneer maintain --resume RUN_DIR      continue a run that was stopped, from its last checkpoint
  diagnoses the failures, curates a new data version, trains candidates and promotes one only if
  it breaks at most epsilon regression examples and no class drops by more than delta.
  --log LOG.jsonl: instead of --failures, --regression and --dev, a classifier's production log
  ({"text","label","pred"} a line: gold label and the deployed model's prediction): split, seeded,
  into failures (wrong), regression examples (right) and a production dev set (a fifth of each
  right/wrong and label group) that judges the candidates; a tenth of --train is held out and
  reported beside it as a guard against forgetting (RUN_DIR/log/split.json records the split).
  --oos-label LABEL: the out-of-scope label when the model has none (it may be new to the model):
  failures labeled with it are diagnosed out_of_scope and the candidates learn it as a class;
  default: the model's own, else, with --allow-new-labels, a new label most failures share.
  --llm endpoint: agents decide through an OpenAI-compatible chat model (OPENAI_BASE_URL,
  OPENAI_API_KEY, PIONEER_MODEL, PIONEER_MODEL_<AGENT>), guarded by the offline policies;
  default: endpoint when OPENAI_API_KEY or OPENAI_BASE_URL is set, else off
  --approve-promotion: the run stops before promoting and waits for a person, with the evidence
  (metrics, flips with their examples, data changes): pioneer runs show|approve|reject RUN_DIR.
  --approve-training-over N: the same before a fine-tune of more than N examples x epochs
${GENERATION_MAINTAIN_USAGE}`;
