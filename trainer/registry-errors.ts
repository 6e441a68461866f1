/** Errors of the model registry: each carries the facts as fields and says what to do. */

const MAX_LISTED = 20;

function listIds(ids: readonly string[]): string {
  if (ids.length === 0) return "the registry has no versions yet";
  const shown = ids.slice(0, MAX_LISTED).join(", ");
  return `known versions: ${shown}${ids.length > MAX_LISTED ? `, and ${ids.length - MAX_LISTED} more` : ""}`;
}

/** A version id (or model directory) that no version in the registry has. */
export class UnknownVersionError extends Error {
  override readonly name = "UnknownVersionError";
  constructor(
    readonly ref: string,
    readonly known: readonly string[],
    readonly root: string,
    /** What was looked for, for the message: "version", "parent version", "version or model directory". */
    readonly what: string = "version",
  ) {
    super(`no ${what} "${ref}" in the model registry at ${root} (${listIds(known)}); use one of the known ids, or register the model first`);
  }
}

export class DuplicateVersionError extends Error {
  override readonly name = "DuplicateVersionError";
  constructor(
    readonly id: string,
    readonly root: string,
  ) {
    super(`version "${id}" already exists in the model registry at ${root}; pick another id, or leave id out to get a generated one`);
  }
}

/** A model directory that a version already names, registered again as something else: registered
 * directories are immutable, so new weights belong in a new directory. */
export class AlreadyRegisteredError extends Error {
  override readonly name = "AlreadyRegisteredError";
  constructor(
    readonly modelDir: string,
    readonly id: string,
    readonly root: string,
    readonly differs: string,
  ) {
    super(`${modelDir} is already registered as version "${id}" in the model registry at ${root}, with another ${differs}; a registered model directory is never rewritten: write the new model to another directory`);
  }
}

/** A promotion that expected another version to be the promoted one: someone promoted or rolled
 * back in between, so the candidate was gated against a model that is no longer deployed. */
export class PromotedVersionChangedError extends Error {
  override readonly name = "PromotedVersionChangedError";
  constructor(
    readonly expected: string | null,
    readonly current: string | null,
    readonly root: string,
  ) {
    super(`the promoted version of the model registry at ${root} is ${current ?? "none"}, not ${expected ?? "none"} as expected; nothing was promoted: gate the candidate against ${current ?? "the registry's state"} first`);
  }
}

export class NothingToRollBackError extends Error {
  override readonly name = "NothingToRollBackError";
  constructor(
    /** The version that stays promoted, or null when none ever was. */
    readonly current: string | null,
    readonly root: string,
  ) {
    super(
      current === null
        ? `nothing to roll back to: no version has been promoted in the model registry at ${root}; promote one first`
        : `nothing to roll back to: no version was promoted before "${current}" (registry ${root}); promote the version you want instead`,
    );
  }
}

/** A registry file (manifest.json, pointer.json) that is not valid JSON or does not match its schema. */
export class CorruptRegistryFileError extends Error {
  override readonly name = "CorruptRegistryFileError";
  constructor(
    readonly file: string,
    /** The zod issue path (e.g. `labels.2`), or null when the whole file is at fault. */
    readonly path: string | null,
    readonly problem: string,
    options?: ErrorOptions,
  ) {
    super(`${file}: ${path === null ? "" : `field "${path}": `}${problem} — fix the file by hand or restore it from a backup`, options);
  }
}

/** `register` input that does not make a valid manifest. */
export class InvalidRegistrationError extends Error {
  override readonly name = "InvalidRegistrationError";
  constructor(
    readonly path: string | null,
    readonly problem: string,
  ) {
    super(`cannot register the model: ${path === null ? "" : `field "${path}": `}${problem}`);
  }
}

export class RegistryLockTimeoutError extends Error {
  override readonly name = "RegistryLockTimeoutError";
  constructor(
    readonly lockFile: string,
    readonly waitedMs: number,
  ) {
    super(
      `could not lock the model registry: ${lockFile} has been held for all of ${waitedMs} ms; another pioneer process is writing — retry, or delete the lock file if no such process is running`,
    );
  }
}
