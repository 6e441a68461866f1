export { evaluatorNode, combineVerdicts } from "./node.ts";
