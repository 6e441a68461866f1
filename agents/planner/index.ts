export { plannerNode } from "./node.ts";
export { route } from "./policy.ts";
export { PlannerDecision, PlannerRoute } from "./schema.ts";
export { PLANNER_PROMPT } from "./prompts.ts";
