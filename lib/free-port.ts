import { createServer } from "node:net";

/** A TCP port on 127.0.0.1 that was free a moment ago: bind port 0, read what the OS chose, close.
 * Never assume a well-known port (e.g. 2024) is free; another process may hold it. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      if (address === null || typeof address === "string") {
        server.close();
        reject(new Error("freePort: the OS returned no TCP address for port 0; check that 127.0.0.1 is available"));
        return;
      }
      const { port } = address;
      server.close((err) => (err ? reject(err) : resolve(port)));
    });
  });
}
