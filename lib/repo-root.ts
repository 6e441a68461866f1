import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository's root folder (this file is in `lib/`). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
