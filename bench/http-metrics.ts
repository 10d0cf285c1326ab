// What the HTTP metrics middleware (connector/metrics/http.ts) costs per request, two ways, each beside a
// baseline in the same run (and, third, what one rate-limit decision costs beside a Map lookup):
//   - over HTTP: the same Express app (a DSP-like route below a mounted router) with and without the
//     middleware, keep-alive on 127.0.0.1, 16 requests in flight, rounds alternated so drift hits both;
//   - in process: the middleware's own work for one request (route capture, counter, histogram) beside
//     building the same request and response objects and emitting 'close' without it.
import { EventEmitter } from 'node:events';
import { Agent, request } from 'node:http';
import { Router } from 'express';
import { Registry } from 'prom-client';
import { createJsonApp, finishJsonApp } from '../connector/http/json-app.js';
import { listen, type RunningServer } from '../connector/http/server.js';
import { httpMetricsMiddleware } from '../connector/metrics/http.js';
import { TokenBuckets } from '../connector/http/rate-limit/index.js';
import { formatRate, measure, ratio, type Rate } from './harness.js';

const IN_FLIGHT = 16;
const PER_ROUND = 4_000;
const ROUNDS = 5;

async function server(withMetrics: boolean): Promise<RunningServer> {
  const app = createJsonApp(withMetrics ? { before: [httpMetricsMiddleware(new Registry())] } : {});
  const dsp = Router();
  dsp.get('/negotiations/:pid', (req, res) => {
    res.json({ '@type': 'ContractNegotiation', providerPid: req.params.pid, state: 'REQUESTED' });
  });
  app.use('/dsp', dsp);
  finishJsonApp(app);
  return listen(app);
}

/** `count` GETs with IN_FLIGHT at a time over keep-alive; requests per second. */
async function drive(url: string, agent: Agent, count: number): Promise<number> {
  let next = 0;
  const one = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const req = request(`${url}/dsp/negotiations/urn:uuid:${next}`, { agent }, (res) => {
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end();
    });
  const worker = async (): Promise<void> => {
    while (next < count) {
      next++;
      await one();
    }
  };
  const t = process.hrtime.bigint();
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  return (count * 1e9) / Number(process.hrtime.bigint() - t);
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};
const rate = (name: string, perSecond: number): Rate => ({ name, perSecond, nsPerOp: 1e9 / perSecond });

export async function run(): Promise<void> {
  console.log('\n# HTTP metrics middleware: cost per request');
  const plain = await server(false);
  const counted = await server(true);
  const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
  try {
    await drive(plain.url, agent, 1_000); // warm up both
    await drive(counted.url, agent, 1_000);
    const without: number[] = [];
    const withMetrics: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      without.push(await drive(plain.url, agent, PER_ROUND));
      withMetrics.push(await drive(counted.url, agent, PER_ROUND));
    }
    const base = rate('HTTP GET, no metrics (baseline)', median(without));
    const measured = rate('HTTP GET, metrics middleware', median(withMetrics));
    console.log(formatRate(base));
    console.log(`${formatRate(measured)}  ${ratio(measured, base)}`);
    console.log(
      `  difference per request over HTTP: ${((measured.nsPerOp - base.nsPerOp) / 1000).toFixed(1)} µs ` +
        `(median of ${ROUNDS} alternated rounds of ${PER_ROUND})`,
    );
  } finally {
    agent.destroy();
    await plain.close();
    await counted.close();
  }

  // In process: the middleware's own work, beside the same objects and event without it.
  const middleware = httpMetricsMiddleware(new Registry());
  const route = { path: '/negotiations/:pid' };
  const fakeRequest = (): { method: string; baseUrl: string; route?: unknown } => ({
    method: 'GET',
    baseUrl: '',
  });
  const fakeResponse = () => Object.assign(new EventEmitter(), { statusCode: 200, writableFinished: true });
  const noop = (): void => undefined;
  const baseline = measure('request objects + close event (baseline)', () => {
    const req = fakeRequest();
    const res = fakeResponse();
    res.once('close', noop);
    req.baseUrl = '/dsp';
    req.route = route;
    res.emit('close');
  });
  const withMiddleware = measure('the same through the metrics middleware', () => {
    const req = fakeRequest();
    const res = fakeResponse();
    middleware(req as never, res as never, noop);
    req.baseUrl = '/dsp';
    req.route = route;
    res.emit('close');
  });
  console.log(formatRate(baseline));
  console.log(`${formatRate(withMiddleware)}  ${ratio(withMiddleware, baseline)}`);
  console.log(
    `  the middleware's own cost: ${((withMiddleware.nsPerOp - baseline.nsPerOp) / 1000).toFixed(2)} µs per request`,
  );

  // A rate-limit decision (connector/http/rate-limit/token-buckets.ts): one bucket taken per request, for
  // 10,000 callers in turn (each bucket refilling, the LRU at its bound), beside a Map lookup of the key.
  const keys = Array.from({ length: 10_000 }, (_, i) => `did:web:member-${i}.example`);
  const buckets = new TokenBuckets({ perSecond: 1e9, burst: 1e9 }, { maxKeys: 5_000 });
  const map = new Map(keys.map((k) => [k, 1]));
  let i = 0;
  const lookup = measure('Map lookup of the caller (baseline)', () => map.get(keys[i++ % keys.length]!));
  const take = measure('token bucket take, 10k callers, LRU of 5k', () =>
    buckets.take(keys[i++ % keys.length]!),
  );
  console.log(formatRate(lookup));
  console.log(`${formatRate(take)}  ${ratio(take, lookup)}`);
}
