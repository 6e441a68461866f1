export { trainerNode } from "./node.ts";
export { planRound, type PlanRoundInput } from "./policy.ts";
export { RoundPlan, TrainingChoice } from "./schema.ts";
export { TRAINER_PROMPT } from "./prompts.ts";
