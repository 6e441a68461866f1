import { classesOf, type Example, everyNth, readExamples, seededShuffle } from "../../data/index.ts";
import { datasetPath } from "../../data/shared-datasets.ts";
import { mulberry32 } from "../../lib/random.ts";
import { poison } from "./poison.ts";
import { POISON_KINDS, type PoisonKind, type Scenario } from "./scenario-file.ts";

export interface Stage {
  index: number;
  poisonRate: number;
  /** Logged production inputs with their (possibly poisoned) feedback labels. */
  logged: Example[];
  /** Which logged ids were poisoned, and how. */
  poisoned: Map<string, PoisonKind>;
  /** Clean examples of the stage's traffic, for evaluation only. */
  test: Example[];
  /** Held-back labels or entity types present in this stage's traffic. */
  shifted: string[];
}

export interface StagedScenario {
  kind: "classification" | "token";
  base: Example[];
  /** Clean held-out data: maintain's dev set. */
  goldenDev: Example[];
  /** Clean examples from which the regression set (those the base model gets right) is taken. */
  goldenRegression: Example[];
  stages: Stage[];
  /** The union of the stages' clean test splits and the original test split. */
  evaluation: Example[];
}

export interface StageSizes {
  base: number;
  stage: number;
  stage_test: number;
  golden: number;
  test?: number | undefined;
}

/** Splits a list of items into its first n and the rest. */
function take<T>(items: T[], n: number): [T[], T[]] {
  return [items.slice(0, n), items.slice(n)];
}

/**
 * Draws a scenario's data, all from its seed: a base slice (stage 0) without the held-back labels or
 * entity types, three deployment stages of logged feedback (a rising share poisoned, the held-back
 * traffic arriving at `shift.arrive_at_stage`), a clean test split per stage, golden dev and
 * regression candidates, and the evaluation set. Examples are never shared between parts.
 */
export function buildStages(scenario: Scenario, train: readonly Example[], golden: readonly Example[], test: readonly Example[], sizes: StageSizes): StagedScenario {
  const kind = train[0] && "tokens" in train[0] ? "token" : "classification";
  const heldBack = new Set(scenario.shift?.held_back ?? []);
  const isShifted = (e: Example) => classesOf(e).some((c) => heldBack.has(c));
  const known = new Set(train.flatMap(classesOf));
  for (const c of heldBack) if (!known.has(c)) throw new Error(`scenario ${scenario.name}: shift.held_back names "${c}", which ${scenario.dataset} does not have`);

  const sameSplit = scenario.splits.golden === scenario.splits.train;
  let rest = seededShuffle(train, scenario.seed);
  let goldenPool = seededShuffle(golden, scenario.seed + 1);
  if (sameSplit) [goldenPool, rest] = take(rest, sizes.golden);
  const [goldenSlice] = take(goldenPool, sizes.golden);
  const goldenDev = goldenSlice.filter((_, i) => i % 2 === 0);
  const goldenRegression = goldenSlice.filter((_, i) => i % 2 === 1);

  const drawStage0 = (n: number): Example[] => {
    const picked = rest.filter((e) => !isShifted(e)).slice(0, n);
    const ids = new Set(picked.map((e) => e.id));
    rest = rest.filter((e) => !ids.has(e.id));
    return picked;
  };
  const base = drawStage0(sizes.base);
  if (base.length < sizes.base) throw new Error(`scenario ${scenario.name}: only ${base.length} examples for a base slice of ${sizes.base}`);

  const labels = [...known].sort();
  const random = mulberry32(scenario.seed + 2);
  const kinds = POISON_KINDS.filter((k) => scenario.poison[k]);
  const stages: Stage[] = scenario.poison_rates.map((poisonRate, i) => {
    const index = i + 1;
    const shiftedNow = scenario.shift !== null && index >= scenario.shift.arrive_at_stage;
    let traffic: Example[];
    if (shiftedNow) {
      [traffic, rest] = take(rest, sizes.stage + sizes.stage_test);
    } else {
      traffic = drawStage0(sizes.stage + sizes.stage_test);
    }
    if (traffic.length < sizes.stage + sizes.stage_test) throw new Error(`scenario ${scenario.name}: the ${scenario.splits.train} split ran out at stage ${index}`);
    const [logged, testPart] = take(traffic, sizes.stage);
    const nPoison = kinds.length ? Math.round(poisonRate * logged.length) : 0;
    const chosen = new Set(seededShuffle(logged.map((e) => e.id), scenario.seed + 10 + index).slice(0, nPoison));
    const poisoned = new Map<string, PoisonKind>();
    let turn = 0;
    const ctx = { labels: kind === "classification" ? labels : [], entityTypes: labels, trusted: base, random };
    const feedback = logged.map((e) => {
      if (!chosen.has(e.id)) return e;
      const k = kinds[turn++ % kinds.length]!;
      poisoned.set(e.id, k);
      return poison(e, k, ctx);
    });
    const shifted = [...new Set(traffic.flatMap(classesOf).filter((c) => heldBack.has(c)))].sort();
    return { index, poisonRate, logged: feedback, poisoned, test: testPart, shifted };
  });
  const testSlice = sizes.test ? everyNth(test, sizes.test) : [...test];
  return { kind, base, goldenDev, goldenRegression, stages, evaluation: [...stages.flatMap((s) => s.test), ...testSlice] };
}

/** Reads the scenario's splits from ../shared/datasets and draws its stages. */
export async function loadStagedScenario(scenario: Scenario, quick: boolean): Promise<StagedScenario> {
  const read = async (split: string) => (await readExamples(datasetPath(scenario.dataset, split))).examples as Example[];
  const train = await read(scenario.splits.train);
  const golden = scenario.splits.golden === scenario.splits.train ? train : await read(scenario.splits.golden);
  const test = await read(scenario.splits.test);
  return buildStages(scenario, train, golden, test, quick ? scenario.quick : scenario.sizes);
}
