import { parseArgs } from "node:util";
import { learntFrom, type ModelManifest } from "../../trainer/registry-manifest.ts";
import { openRegistry } from "../context.ts";
import { UsageError } from "../usage-error.ts";

export const MODELS_USAGE = `pioneer models list [--json]          versions, newest last; * marks the promoted one
pioneer models show ID                  one manifest as JSON
pioneer models lineage ID               the version and its ancestors
pioneer models promote ID               move the promoted pointer to ID (atomic)
pioneer models rollback                 move it back to the previously promoted version
  all take --registry DIR (default: $PIONEER_REGISTRY or ./.pioneer/registry)`;

function headline(m: ModelManifest): string {
  const metric = (m.metrics as Record<string, unknown>).dev;
  const dev = metric && typeof metric === "object" ? ` dev ${JSON.stringify(metric)}` : "";
  const learnt = learntFrom(m).length;
  return `${m.id}  ${m.task_kind}/${m.strategy}  parent=${m.parent ?? "-"}  data=${m.data_version.slice(0, 12)}${learnt > 1 ? ` (learnt ${learnt} data versions)` : ""}  ${m.created_at}${dev}\n    ${m.model_dir}`;
}

export async function modelsCommand(argv: string[]): Promise<void> {
  const [action, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    strict: true,
    allowPositionals: true,
    options: { registry: { type: "string" }, json: { type: "boolean", default: false } },
  });
  const registry = openRegistry(values.registry);
  const id = positionals[0];
  switch (action) {
    case "list": {
      const [versions, promoted] = await Promise.all([registry.list(), registry.promoted()]);
      if (values.json) {
        console.log(JSON.stringify({ promoted: promoted?.id ?? null, versions }));
        return;
      }
      if (versions.length === 0) console.log(`no versions in ${registry.root}; train one with \`pioneer train\``);
      for (const v of versions) console.log(`${v.id === promoted?.id ? "*" : " "} ${headline(v)}`);
      return;
    }
    case "show":
      if (!id) throw new UsageError("models show needs a version id");
      console.log(JSON.stringify(await registry.get(id), null, 2));
      return;
    case "lineage":
      if (!id) throw new UsageError("models lineage needs a version id");
      for (const [depth, v] of (await registry.lineage(id)).entries()) console.log(`${"  ".repeat(depth)}${headline(v)}`);
      return;
    case "promote":
      if (!id) throw new UsageError("models promote needs a version id");
      console.log(`promoted ${(await registry.promote(id)).id}`);
      return;
    case "rollback":
      console.log(`rolled back; promoted is now ${(await registry.rollback()).id}`);
      return;
    default:
      throw new UsageError(`unknown models action "${action ?? ""}" (list, show, lineage, promote, rollback)`);
  }
}
