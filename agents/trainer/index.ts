export { trainerNode } from "./node.ts";
export { jobSpecOf } from "./policy.ts";
export { TrainingChoice } from "./schema.ts";
