export { evaluatorNode } from "./node.ts";
export { combineVerdicts, NO_GAIN, rejectedOnlyForNoGain } from "./combine-verdicts.ts";
export { gateSet, judgeCandidate } from "./gate.ts";
