export { plannerNode } from "./node.ts";
export { route } from "./policy.ts";
export { epochsForMinSteps, planRound, type PlanRoundInput, repairDue } from "./round-plan.ts";
export { PlannerDecision, PlannerRoute, RoundPlan } from "./schema.ts";
export { ROUND_PLAN_PROMPT } from "./prompts.ts";
