import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../lib/repo-root.ts";
import { type DataFileCase, duplicateIdFile, malformedDataFile, readCase, validDataFile } from "../test-support/malformed-data-files.ts";

/** Property-based fuzzing of the example readers (test-support/malformed-data-files.ts): every
 * generated valid file is read whole, every planted fault is a DataFileError naming its file, line
 * and field; nothing crashes and nothing is silently accepted. Seeded, so a failure reproduces;
 * `bench/fuzz-readers.ts` runs many more cases and prints the counts. */
let dir: string;
let n = 0;
const pathFor = (c: DataFileCase) => join(dir, `case-${n++}.${c.format}`);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pioneer-fuzz-"));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

const RUNS = { numRuns: 300, seed: 20261130 };

describe("readExamples under fuzzing", () => {
  it("reads every valid file whole (blank lines, CRLF, BOM, quoted line breaks)", async () => {
    await fc.assert(
      fc.asyncProperty(validDataFile, async (c) => {
        const result = await readCase(c, pathFor(c));
        expect(result.outcome, result.detail).toBe("accepted");
      }),
      RUNS,
    );
  });

  it("reports every planted fault at its line and field, with no crash and no silent acceptance", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof({ arbitrary: malformedDataFile, weight: 9 }, { arbitrary: duplicateIdFile, weight: 1 }), async (c) => {
        const result = await readCase(c, pathFor(c));
        expect(result.outcome, `${c.fault?.name} at line ${c.fault?.line}: ${result.detail}`).toBe("clear");
      }),
      RUNS,
    );
  });

  it("never crashes on arbitrary bytes", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), fc.constantFrom("jsonl", "csv"), async (bytes, format) => {
        const c: DataFileCase = { kind: "classification", format: format as "jsonl" | "csv", bytes, records: 0, fault: null };
        const result = await readCase(c, pathFor(c));
        expect(result.outcome, result.detail).not.toBe("crash");
      }),
      RUNS,
    );
  });
});

describe("the CLI on fuzzed files", () => {
  it("pioneer train answers a planted fault with exit code 2 and file:line, never a traceback", async () => {
    const cases = fc.sample(malformedDataFile, { numRuns: 6, seed: RUNS.seed });
    for (const [i, c] of cases.entries()) {
      const path = pathFor(c);
      await readCase(c, path); // writes the file
      const args = ["train", "--data", path, "--out", join(dir, `model-${i}`), "--registry", join(dir, "registry")];
      const result = await execa("node", [join(REPO_ROOT, "cli", "bin.js"), ...args], { reject: false });
      expect(result.exitCode, `${args.join(" ")}: ${result.stderr}`).toBe(2);
      expect(result.stderr).toContain(`${path}:${c.fault!.line}: `);
      expect(result.stderr).not.toMatch(/Traceback|\n\s+at /);
    }
  }, 120_000);
});
