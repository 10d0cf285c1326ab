// Starting and stopping HTTP servers. Shuyu binds to 127.0.0.1 unless told otherwise; port 0 asks
// the OS for a free port (tests use it to run many servers side by side).

import { createServer, maxHeaderSize, STATUS_CODES, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Express } from 'express';
import { HttpProblem, problemBody } from './problem.js';

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
  server.on('clientError', answerClientError);
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

/**
 * Requests Node refuses before any route sees them (headers over the limit, a malformed request line, a
 * header timeout) get a complete problem+json response saying which limit and what to do, then the
 * connection closes; Node's default is a bare status line or a reset. The path is unknown at this layer
 * (the request did not parse), so DSP paths get the same problem+json as every other.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const problem = clientProblem(error.code);
  // A HEAD request's answer has no body (the client would read it as the next response): the request did
  // not parse, but its first bytes still say the method.
  const head = (error as { rawPacket?: unknown }).rawPacket;
  const isHead = Buffer.isBuffer(head) && head.subarray(0, 5).toString('latin1') === 'HEAD ';
  const body = isHead ? '' : JSON.stringify(problemBody(problem));
  socket.end(
    `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status] ?? 'Error'}\r\n` +
      'Content-Type: application/problem+json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}

function clientProblem(code: string | undefined): HttpProblem {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return new HttpProblem(
        431,
        'headers-too-large',
        `the request line and headers are larger than the ${maxHeaderSize} bytes this server accepts; ` +
          'send fewer or shorter headers (e.g. no oversized cookies or tokens)',
      );
    case 'HPE_HEADERS_TIMEOUT':
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new HttpProblem(
        408,
        'request-timeout',
        'the request headers or body did not arrive in time; send the whole request promptly',
      );
    default:
      return new HttpProblem(
        400,
        'malformed-request',
        `the request is not valid HTTP/1.1 (${code ?? 'parse error'}); check the request line and headers`,
      );
  }
}
