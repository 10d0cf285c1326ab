// Starting and stopping HTTP servers. Shuyu binds to 127.0.0.1 unless told otherwise; port 0 asks
// the OS for a free port (tests use it to run many servers side by side).

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';

export interface RunningServer {
  readonly server: Server;
  readonly host: string;
  readonly port: number;
  /** http://host:port, without a trailing slash. */
  readonly url: string;
  close(): Promise<void>;
}

export const DEFAULT_HOST = '127.0.0.1';

// Loopback checks (for bind addresses and plain-http peers) live in ../identity/net/loopback.ts.

export async function listen(
  app: Express,
  options: { host?: string; port?: number } = {},
): Promise<RunningServer> {
  const host = options.host ?? DEFAULT_HOST;
  const server = createServer(app);
  // Slow-loris guard and tidy shutdown: bounded header time, idle keep-alive connections closed.
  server.headersTimeout = 20_000;
  server.requestTimeout = 120_000;
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    server,
    host,
    port,
    url: `http://${shownHost}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
