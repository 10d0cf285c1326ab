// Replicas of one connector for the tests: child processes on one data directory (same DID, keys and
// database) behind a small round-robin HTTP proxy, as a load balancer would put them.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readConfigFile, writeConfigFile } from '../../connector/process/config.js';
import { NO_RATE_LIMITS } from '../../connector/http/rate-limit/index.js';
import { openConnectorStore } from '../../connector/process/connector-store.js';
import { startControlPlaneConnector } from '../../connector/process/run-connector.js';
import type { Store } from '../../connector/store/database.js';
import { postgresForTests } from '../support/postgres.js';
import { onboard, type LocalDataSpace } from '../authority/helpers.js';
import { publish } from '../dsp/helpers.js';

const SCRIPT = fileURLToPath(new URL('../../connector/process/run-connector.ts', import.meta.url));

/**
 * Forwards each request to the next live target in turn. A target that refuses the connection (a killed
 * replica) is skipped and the request sent to the next one, as a load balancer's health check would; a
 * request cut off mid-way gets a 502 (its client retries).
 */
export class RoundRobinProxy {
  targets: number[] = [];
  /** Requests forwarded per target port. */
  readonly served = new Map<number, number>();
  next = 0;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(): Promise<RoundRobinProxy> {
    const server = createServer();
    server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const proxy = new RoundRobinProxy(server, (server.address() as AddressInfo).port);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        // Each target once, starting with the next in turn.
        const start = proxy.next++;
        const order = proxy.targets.map(
          (_, i) => proxy.targets[(start + i) % proxy.targets.length] as number,
        );
        proxy.forward(req.method ?? 'GET', req.url ?? '/', req.headers, chunks, res, order);
      });
    });
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  private forward(
    method: string,
    path: string,
    headers: import('node:http').IncomingHttpHeaders,
    body: Buffer[],
    res: import('node:http').ServerResponse,
    order: readonly number[],
  ): void {
    const [port, ...rest] = order;
    if (port === undefined) {
      res.writeHead(503).end();
      return;
    }
    const upstream = httpRequest(
      { host: '127.0.0.1', port, path, method, headers: { ...headers, connection: 'close' }, agent: false },
      (answer) => {
        this.served.set(port, (this.served.get(port) ?? 0) + 1);
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.on('error', () => res.destroy());
      },
    );
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED' && !res.headersSent) {
        this.forward(method, path, headers, body, res, rest);
      } else if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    });
    for (const chunk of body) upstream.write(chunk);
    upstream.end();
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

/** A port free right now on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Marks the connector in `dir` as run by replicas (connector.json "replica", and any `more` settings).
 * Rate limits are off: hundreds of parallel negotiations from one consumer are the load under test.
 */
export function configureReplicas(
  dir: string,
  replica: { leaseMs: number; renewMs: number },
  more: Record<string, unknown> = {},
): void {
  const file = join(dir, 'connector.json');
  writeConfigFile(file, {
    ...(readConfigFile<Record<string, unknown>>(file) ?? {}),
    replica,
    rateLimits: NO_RATE_LIMITS,
    ...more,
  });
}

export interface Replica {
  readonly port: number;
  readonly pid: number;
  alive(): boolean;
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

export async function startReplica(options: {
  readonly dir: string;
  readonly port: number;
  readonly authorityUrl: string;
  readonly publicUrl: string;
  /** --automation for this replica only (a test device: "none" leaves every step to the others). */
  readonly automation?: string;
  /** The replica's management listener (default a free port). */
  readonly managementPort?: number;
}): Promise<Replica> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      SCRIPT,
      '--dir',
      options.dir,
      '--port',
      String(options.port),
      '--authority',
      options.authorityUrl,
      '--public-url',
      options.publicUrl,
      ...(options.automation === undefined ? [] : ['--automation', options.automation]),
      ...(options.managementPort === undefined ? [] : ['--management-port', String(options.managementPort)]),
    ],
    {
      env: { ...process.env, SHUYU_OUTBOX_BASE_DELAY_MS: '50', SHUYU_OUTBOX_MAX_DELAY_MS: '500' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await readyLine(child);
  return {
    port: options.port,
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

function readyLine(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`replica did not start in time: ${err}`)), 30_000);
    child.stderr?.on('data', (chunk: Buffer) => (err = (err + chunk.toString()).slice(-4000)));
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('"ready":true')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`replica exited with ${code}: ${err}`));
    });
  });
}

export function managementKey(dir: string): string {
  return readFileSync(join(dir, 'management-api-key'), 'utf8').trim();
}

/**
 * Onboards a provider once in this process (keys, wallet, database in `dir`), publishing `assets` and
 * `offers` with the proxy's URL as its public URL (its DID), then stops it; returns its DID.
 */
export async function prepareProvider(
  space: LocalDataSpace,
  proxy: RoundRobinProxy,
  dir: string,
  application: Record<string, unknown>,
  catalog: (did: string) => { assets: Record<string, unknown>[]; offers: Record<string, unknown>[] },
): Promise<string> {
  const first = await startControlPlaneConnector({
    dataDir: dir,
    port: 0,
    authorityUrl: space.authority.url,
    publicUrl: proxy.url,
  });
  proxy.targets = [first.server.port];
  try {
    await onboard(space, first, application);
    const { assets, offers } = catalog(first.did);
    await publish(first, assets, offers);
    return first.did;
  } finally {
    await first.close();
    proxy.targets = [];
  }
}

/** Each replica suite runs on both backends (PostgreSQL when a test cluster can be had, else skipped). */
export const BACKENDS = ['SQLite', 'PostgreSQL'] as const;
export type Backend = (typeof BACKENDS)[number];

/**
 * Places the store of the connector in `dir`: its SQLite file, or a fresh PostgreSQL database named in
 * its connector.json. Resolves why not when PostgreSQL is not available here.
 */
export async function placeStore(backend: Backend, dir: string): Promise<string | undefined> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (backend === 'SQLite') return undefined;
  const available = await postgresForTests();
  if (!available.ok) return available.reason;
  writeConfigFile(join(dir, 'connector.json'), { database: await available.postgres.createDatabase() });
  return undefined;
}

/** The store the replicas of the connector in `dir` share, opened by the test to look inside. */
export function openSharedStore(dir: string): Promise<Store> {
  return openConnectorStore(dir, []);
}
