// A real HTTP peer on 127.0.0.1 (ephemeral port) for the outbox tests. Each test decides the reply per
// request; the server records what arrived, when, and how many requests overlapped, overall and per
// aggregate (read from the body's "aggregate" field).
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Arrival {
  readonly path: string;
  readonly method: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: { readonly aggregate?: string; readonly n?: number; readonly [key: string]: unknown } | null;
  /** ms since the server started */
  readonly at: number;
}

export type Reply =
  | {
      readonly status: number;
      readonly body?: unknown;
      readonly delayMs?: number;
      readonly headers?: Record<string, string>;
    }
  | 'hang'
  | 'close';

export class TestServer {
  readonly arrivals: Arrival[] = [];
  /** Decides each reply; `index` counts earlier arrivals on the same path. */
  reply: (arrival: Arrival, index: number) => Reply = () => ({ status: 200 });
  maxActive = 0;
  readonly maxActiveByAggregate = new Map<string, number>();
  /** Resolves listeners waiting for a number of arrivals. */
  private readonly waiters: { count: number; resolve: () => void }[] = [];
  private active = 0;
  private readonly activeByAggregate = new Map<string, number>();
  private readonly hanging: ServerResponse[] = [];
  private readonly started = Date.now();

  private constructor(private readonly server: Server) {}

  static async start(): Promise<TestServer> {
    const server = createServer();
    const test = new TestServer(server);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => test.handle(req.url ?? '/', req.method ?? 'GET', req.headers, chunks, res));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return test;
  }

  url(path: string): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}${path}`;
  }

  /** Resolves once `count` requests have arrived in total. */
  arrived(count: number): Promise<void> {
    if (this.arrivals.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  /** The body "n" values that arrived for one aggregate, in arrival order. */
  sequence(aggregate: string): number[] {
    return this.arrivals.filter((a) => a.body?.aggregate === aggregate).map((a) => Number(a.body?.n));
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(
    path: string,
    method: string,
    headers: IncomingHttpHeaders,
    chunks: Buffer[],
    res: ServerResponse,
  ): void {
    const text = Buffer.concat(chunks).toString('utf8');
    const arrival: Arrival = {
      path,
      method,
      headers,
      body: text === '' ? null : (JSON.parse(text) as Arrival['body']),
      at: Date.now() - this.started,
    };
    const index = this.arrivals.filter((a) => a.path === path).length;
    this.arrivals.push(arrival);
    for (const w of this.waiters.filter((w) => this.arrivals.length >= w.count)) {
      this.waiters.splice(this.waiters.indexOf(w), 1);
      w.resolve();
    }
    const reply = this.reply(arrival, index);
    if (reply === 'hang') {
      this.hanging.push(res);
      return;
    }
    if (reply === 'close') {
      res.socket?.destroy(); // the connection drops without an answer
      return;
    }
    const aggregate = arrival.body?.aggregate ?? '';
    this.enter(aggregate);
    setTimeout(() => {
      this.leave(aggregate);
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
    }, reply.delayMs ?? 0);
  }

  private enter(aggregate: string): void {
    this.active += 1;
    this.maxActive = Math.max(this.maxActive, this.active);
    const n = (this.activeByAggregate.get(aggregate) ?? 0) + 1;
    this.activeByAggregate.set(aggregate, n);
    this.maxActiveByAggregate.set(aggregate, Math.max(this.maxActiveByAggregate.get(aggregate) ?? 0, n));
  }

  private leave(aggregate: string): void {
    this.active -= 1;
    this.activeByAggregate.set(aggregate, (this.activeByAggregate.get(aggregate) ?? 1) - 1);
  }
}
