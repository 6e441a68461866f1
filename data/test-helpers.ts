import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import { DataFileError } from "./data-file-error.ts";

/** The shared, read-only public data sets (see ../shared/datasets/README.md). */
export const DATASETS = fileURLToPath(new URL("../../shared/datasets/", import.meta.url));
export const HAVE_DATASETS = existsSync(join(DATASETS, "README.md"));

export interface TempDir {
  path: string;
  write(name: string, contents: string): Promise<string>;
  remove(): Promise<void>;
}

export async function makeTempDir(): Promise<TempDir> {
  const path = await mkdtemp(join(tmpdir(), "pioneer-data-"));
  return {
    path,
    async write(name, contents) {
      const file = join(path, name);
      await writeFile(file, contents);
      return file;
    },
    remove: () => rm(path, { recursive: true, force: true }),
  };
}

/** Awaits a rejection with a DataFileError and checks where it points, and that the message says so. */
export async function expectDataFileError(
  promise: Promise<unknown>,
  where: { file: string; line: number | null; field: string | null },
  ...messageParts: string[]
): Promise<DataFileError> {
  const err = await promise.then(
    () => expect.fail("expected a DataFileError, but the call succeeded"),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DataFileError);
  const error = err as DataFileError;
  expect({ file: error.file, line: error.line, field: error.field }).toEqual(where);
  expect(error.message).toContain(where.line === null ? `${where.file}:` : `${where.file}:${where.line}:`);
  if (where.field !== null) expect(error.message).toContain(`field "${where.field}"`);
  for (const part of messageParts) expect(error.message).toContain(part);
  return error;
}
