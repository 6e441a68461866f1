import type { LlmDecider } from "../llm/decide.ts";
import type { DecisionMode } from "../llm/usage.ts";
import type { MemoryStore } from "../memory/index.ts";
import type { StrategyTry } from "./strategy-plan.ts";
import { nextStrategy, type StrategyEvidence } from "./strategy-planner.ts";
import type { TargetStrategy } from "./targets.ts";

/** A strategy left out of a run, and why. */
export interface NotTried {
  strategy: TargetStrategy;
  why: string;
}

/** One choice of what to train next: by the plan (policy) or the LLM planner, and why. */
export interface StrategyDecision {
  next: TargetStrategy | "stop";
  why: string;
  mode: DecisionMode;
  note?: string;
}

export interface StrategySearch {
  task: string;
  /** What the memory is searched by (generationTaskSummary). */
  summary: string;
  plan: readonly StrategyTry[];
  /** Strategies the plan left out already. */
  skipped: readonly NotTried[];
  tries?: number;
  minutes?: number;
  /** When the run started (performance.now()): the minutes budget counts from it. */
  started: number;
  planner: LlmDecider | null;
  memory: MemoryStore;
  runId: string;
}

/**
 * The try loop of a generation run, shared by cold start and maintenance: while the budget (tries,
 * minutes) lasts, the planner (offline: the plan's order) picks the next strategy among those left
 * or stops, and `train` trains and scores it (or says why it cannot be trained); `evidence` is what
 * the planner sees of a candidate.
 */
export async function searchStrategies<C extends { strategy: TargetStrategy }>(
  search: StrategySearch,
  evidence: (c: C) => StrategyEvidence,
  train: (step: StrategyTry, tried: readonly C[]) => Promise<{ candidate: C } | { notTried: NotTried }>,
): Promise<{ candidates: C[]; decisions: StrategyDecision[]; notTried: NotTried[] }> {
  const candidates: C[] = [];
  const decisions: StrategyDecision[] = [];
  const notTried: NotTried[] = [...search.skipped];
  const remaining = [...search.plan];
  const leaveRest = (why: string) => notTried.push(...remaining.splice(0).map((r) => ({ strategy: r.strategy, why })));
  while (remaining.length > 0) {
    const minutes = (performance.now() - search.started) / 60_000;
    if (search.tries !== undefined && candidates.length >= search.tries) {
      leaveRest(`the first ${search.tries} ${search.tries === 1 ? "strategy was" : "strategies were"} tried (--tries)`);
      break;
    }
    if (search.minutes !== undefined && minutes >= search.minutes) {
      leaveRest(`the budget of ${search.minutes} minutes was spent (${minutes.toFixed(1)})`);
      break;
    }
    const decided = await nextStrategy(search.planner, {
      task: search.task, summary: search.summary, remaining,
      tried: candidates.map(evidence),
      budget: { minutes_left: search.minutes !== undefined ? Number((search.minutes - minutes).toFixed(1)) : null, tries_left: search.tries !== undefined ? search.tries - candidates.length : null },
    }, search.memory, search.runId);
    decisions.push({ next: decided.next, why: decided.why, mode: decided.mode, ...(decided.note ? { note: decided.note } : {}) });
    if (decided.next === "stop") {
      leaveRest(`the ${decided.mode === "llm" ? "LLM planner" : "planner"} stopped: ${decided.why}`);
      break;
    }
    const step = remaining.splice(remaining.findIndex((r) => r.strategy === decided.next), 1)[0]!;
    const trained = await train(decided.mode === "llm" ? { ...step, why: `the LLM planner chose it: ${decided.why}` } : step, candidates);
    if ("candidate" in trained) candidates.push(trained.candidate);
    else notTried.push(trained.notTried);
  }
  return { candidates, decisions, notTried };
}
