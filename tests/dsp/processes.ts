// Connectors as child processes (connector/process/run-connector.ts) for the kill -9 tests, and a
// small HTTP relay in front of a consumer that can refuse chosen callbacks, so a provider's message
// stays undelivered for exactly as long as a test needs.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../../connector/process/run-connector.ts', import.meta.url));

export interface ChildConnector {
  readonly url: string;
  readonly did: string;
  readonly managementUrl: string;
  readonly managementApiKey: string;
  /** The child's process id (the fuzzer checks it is still alive). */
  readonly pid: number;
  /** Whether the child has not exited. */
  alive(): boolean;
  /** SIGKILL: no shutdown code runs. */
  kill9(): Promise<void>;
  /** SIGTERM: a clean shutdown. */
  stop(): Promise<void>;
}

export interface ChildOptions {
  readonly dir: string;
  readonly port: number;
  readonly authorityUrl: string;
  readonly publicUrl?: string;
}

export async function startChild(options: ChildOptions): Promise<ChildConnector> {
  const args = [
    '--import',
    'tsx',
    SCRIPT,
    '--dir',
    options.dir,
    '--port',
    String(options.port),
    '--authority',
    options.authorityUrl,
  ];
  if (options.publicUrl) args.push('--public-url', options.publicUrl);
  const child = spawn(process.execPath, args, {
    env: { ...process.env, SHUYU_OUTBOX_BASE_DELAY_MS: '50', SHUYU_OUTBOX_MAX_DELAY_MS: '250' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = await readyLine(child);
  const url = String(ready.url);
  return {
    url,
    did: String(ready.did),
    managementUrl: String(ready.managementUrl),
    managementApiKey: readFileSync(join(options.dir, 'management-api-key'), 'utf8').trim(),
    pid: child.pid ?? -1,
    alive: () => child.exitCode === null && child.signalCode === null,
    kill9: async () => {
      child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

function readyLine(child: ChildProcess): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`connector did not start in time: ${err}`)), 15_000);
    child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) {
        clearTimeout(timer);
        resolve(JSON.parse(line) as Record<string, unknown>);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`connector exited with ${code}: ${err}`));
    });
  });
}

/** Forwards every request to `target` except POSTs whose path matches a blocked pattern (answered 503). */
export class Relay {
  target = 0;
  refused = 0;
  private blocked: RegExp | undefined;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(): Promise<Relay> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const relay = new Relay(server, (server.address() as AddressInfo).port);
    server.on('request', (req, res) => {
      if (req.method === 'POST' && relay.blocked?.test(req.url ?? '')) {
        relay.refused++;
        req.resume();
        res.writeHead(503).end();
        return;
      }
      const upstream = httpRequest(
        { host: '127.0.0.1', port: relay.target, path: req.url, method: req.method, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.writeHead(502).end());
      req.pipe(upstream);
    });
    return relay;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  block(pattern: RegExp | undefined): void {
    this.blocked = pattern;
    this.refused = 0;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
