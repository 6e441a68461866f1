export { diagnosticianNode } from "./node.ts";
export { diagnose, type DiagnoseInput, type FailureInput } from "./policy.ts";
export { DiagnosisDecision, FailureFinding } from "./schema.ts";
export { DIAGNOSTICIAN_PROMPT } from "./prompts.ts";
