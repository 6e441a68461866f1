import { existsSync } from "node:fs";

/** Debian's chromium package (`apt-get install chromium`; .ci/run installs it), or $CHROMIUM_PATH. */
const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

export function chromiumPath(): string {
  const path = process.env.CHROMIUM_PATH ?? CANDIDATES.find((p) => existsSync(p));
  if (!path || !existsSync(path)) throw new Error(`no Chromium found (tried ${process.env.CHROMIUM_PATH ?? CANDIDATES.join(", ")}); install Debian's chromium package or set CHROMIUM_PATH`);
  return path;
}
