export { dataCuratorNode } from "./node.ts";
export { curate, type CurateInput, type CurateResult } from "./policy.ts";
export { CurationPlan, Change } from "./schema.ts";
export { repairBio } from "../../data/bio.ts";
export { DATA_CURATOR_PROMPT } from "./prompts.ts";
