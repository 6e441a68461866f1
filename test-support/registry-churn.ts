/** One process of the concurrent promote/rollback test: `node --import tsx registry-churn.ts ROOT
 * N SEED ID...` makes N random promotes and rollbacks on the registry at ROOT and prints how many of
 * each succeeded (a rollback with nothing to roll back to is refused and counted). */
import { mulberry32 } from "../lib/random.ts";
import { NothingToRollBackError } from "../trainer/registry-errors.ts";
import { ModelRegistry } from "../trainer/registry.ts";

const [root, n, seed, ...ids] = process.argv.slice(2);
const registry = new ModelRegistry(root!);
const random = mulberry32(Number(seed));
const counts = { promotes: 0, rollbacks: 0, refused: 0 };
for (let i = 0; i < Number(n); i++) {
  if (random() < 0.6) {
    await registry.promote(ids[Math.floor(random() * ids.length)]!);
    counts.promotes++;
  } else {
    try {
      await registry.rollback();
      counts.rollbacks++;
    } catch (err) {
      if (!(err instanceof NothingToRollBackError)) throw err;
      counts.refused++;
    }
  }
}
console.log(JSON.stringify(counts));
