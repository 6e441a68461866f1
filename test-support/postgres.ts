import { existsSync, readdirSync } from "node:fs";
import { chown, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { freePort } from "../lib/free-port.ts";

/** Debian installs PostgreSQL's server programs here, one folder per major version. */
const DEBIAN_POSTGRES = "/usr/lib/postgresql";
const SYSTEM_USER = "postgres";

export interface LocalPostgres {
  /** postgres://pioneer@127.0.0.1:PORT/postgres (trust authentication, loopback only). */
  url: string;
  stop(): Promise<void>;
}

function serverBin(): string {
  if (!existsSync(DEBIAN_POSTGRES)) throw new Error(`PostgreSQL's server programs are not installed (no ${DEBIAN_POSTGRES}); install Debian's postgresql package`);
  const newest = readdirSync(DEBIAN_POSTGRES).sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) throw new Error(`no PostgreSQL version under ${DEBIAN_POSTGRES}`);
  return join(DEBIAN_POSTGRES, newest, "bin");
}

/**
 * A private PostgreSQL cluster for one test file: initdb in a temporary folder, started on a free
 * loopback port, removed by stop(). The server refuses to run as root, so as root it runs as the
 * `postgres` system user that Debian's package creates.
 */
export async function startPostgres(): Promise<LocalPostgres> {
  const bin = serverBin();
  const dir = await mkdtemp(join(tmpdir(), "pioneer-pg-"));
  const asRoot = process.getuid?.() === 0;
  const run = (program: string, args: string[]) =>
    asRoot ? execa("runuser", ["-u", SYSTEM_USER, "--", join(bin, program), ...args]) : execa(join(bin, program), args);
  if (asRoot) {
    const { stdout } = await execa("id", ["-u", SYSTEM_USER]);
    const { stdout: gid } = await execa("id", ["-g", SYSTEM_USER]);
    await chown(dir, Number(stdout), Number(gid));
  }
  const data = join(dir, "data");
  const port = await freePort();
  await run("initdb", ["-D", data, "-U", "pioneer", "-A", "trust", "--no-sync", "-E", "UTF8"]);
  await run("pg_ctl", ["-D", data, "-l", join(dir, "server.log"), "-w", "-t", "60", "-o", `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, "start"]);
  let stopped = false;
  return {
    url: `postgres://pioneer@127.0.0.1:${port}/postgres`,
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        await run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}
