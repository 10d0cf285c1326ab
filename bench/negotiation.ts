// Contract negotiations end to end between two connector processes on 127.0.0.1: a consumer and an
// automatic provider, each a child process (connector/process/run-connector.ts) with its own SQLite
// file, onboarded by a real authority (in this process), every DSP request carrying a fresh request
// token that the other side verifies. One negotiation is the consumer's management call and the
// four DSP messages to FINALIZED (request, agreement, verification, finalized event), each persisted
// before it leaves and delivered through the outbox.
//
// Figures: the latency of one negotiation alone (median, p95), and complete negotiations per second
// with 1, 8, 32 and 128 in flight; beside them, in the same run, one bare HTTP round trip to a
// node:http echo server over keep-alive. The client waits with the management API's long poll
// (`?waitFor=FINALIZED`), so it adds no polling load.
//
// SHUYU_BENCH_CPU_PROF=DIR writes a V8 CPU profile of both connectors into DIR, with marks.json: the
// start and end of each lone negotiation on the profiles' clock, which bench/profile-summary.ts reads
// (busy time per phase and side, and the timeline of one negotiation); SHUYU_BENCH_POSTGRES=0 measures
// SQLite only.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startAuthority, type RunningAuthority } from '../catalog/authority/process.js';
import { startControlPlaneConnector } from '../connector/process/run-connector.js';
import { writeConfigFile } from '../connector/process/config.js';
import { NO_RATE_LIMITS } from '../connector/http/rate-limit/index.js';
import { postgresForTests } from '../tests/support/postgres.js';

const SCRIPT = fileURLToPath(new URL('../connector/process/run-connector.ts', import.meta.url));
const DATASET = 'urn:bench:dataset:visits';
const LEVELS = [1, 8, 32, 128];
const LATENCY_RUNS = 100;
const LEVEL_SECONDS = 4;
const IDLE_SECONDS = 5;

interface Child {
  readonly pid: number | undefined;
  /** The store's counts so far (statements, waits for a later event-loop turn, transactions), asked with SIGUSR2. */
  stats(): Promise<StoreStats>;
  readonly url: string;
  readonly did: string;
  readonly api: Api;
  stop(): Promise<void>;
}

interface StoreStats {
  readonly statements: number;
  readonly waits: number;
  readonly busy: number;
  readonly transactions: number;
}

type Api = (method: string, path: string, body?: unknown) => Promise<{ status: number; body: unknown }>;

function api(managementUrl: string, key: string): Api {
  return async (method, path, body) => {
    const response = await fetch(`${managementUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
  };
}

async function mustOk(result: Promise<{ status: number; body: unknown }>, what: string): Promise<unknown> {
  const { status, body } = await result;
  if (status >= 300) throw new Error(`${what}: ${status} ${JSON.stringify(body)}`);
  return body;
}

/** Onboards a connector in this process (keys, wallet and port land in `dir`), then stops it. */
async function prepare(
  authority: RunningAuthority,
  adminKey: string,
  dir: string,
  application: Record<string, unknown>,
  database: string | undefined,
): Promise<number> {
  const connector = await startControlPlaneConnector({
    dataDir: dir,
    port: 0,
    authorityUrl: authority.url,
    ...(database !== undefined ? { database } : {}),
  });
  try {
    const applied = await connector.authority.apply(application);
    const approve = await fetch(
      `${authority.admin.url}/authority/v1/admin/applications/${encodeURIComponent(String(applied.id))}/approve`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
        body: '{}',
      },
    );
    if (approve.status !== 200) throw new Error(`approval failed: ${await approve.text()}`);
    await connector.collectCredentials();
    // The figures are the connector's own: its rate limits off (128 negotiations in flight exceed them).
    writeConfigFile(join(dir, 'connector.json'), { rateLimits: NO_RATE_LIMITS });
    return connector.server.port;
  } finally {
    await connector.close();
  }
}

async function startChild(
  dir: string,
  port: number,
  authorityUrl: string,
  profileDir: string | undefined,
  database: string | undefined,
): Promise<Child> {
  const args = [
    ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
    '--import',
    'tsx',
    SCRIPT,
    '--dir',
    dir,
    '--port',
    String(port),
    '--authority',
    authorityUrl,
    // A log line per state change, which this bench never reads, costs each side CPU (and the bench prints it).
    '--log-level',
    'warn',
  ];
  const env = { ...process.env, SHUYU_DATABASE_URL: database ?? '', SHUYU_BENCH_STATS: '1' };
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], env });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = await readyLine(child);
  let waiting: ((s: StoreStats) => void) | undefined;
  let buffered = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.startsWith('{"storeStats"')) continue;
      waiting?.((JSON.parse(line) as { storeStats: StoreStats }).storeStats);
      waiting = undefined;
    }
  });
  const key = (await readFile(join(dir, 'management-api-key'), 'utf8')).trim();
  const url = String(ready.url);
  return {
    pid: child.pid,
    url,
    did: String(ready.did),
    api: api(String(ready.managementUrl), key),
    stats: () =>
      new Promise<StoreStats>((resolve) => {
        waiting = resolve;
        child.kill('SIGUSR2');
      }),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

function readyLine(child: ChildProcess): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve(JSON.parse(line) as Record<string, unknown>);
    });
    child.once('exit', (code) => reject(new Error(`connector exited with ${code}`)));
  });
}

/** CPU time (all threads) a process has used so far, in ms; undefined where /proc is not available. */
async function cpuMs(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, at 100 ticks/s
  } catch {
    return undefined;
  }
}

/** One negotiation, start to FINALIZED, as the consumer's operator sees it; returns milliseconds. */
async function negotiate(consumer: Child, provider: Child, offer: unknown): Promise<number> {
  const t = performance.now();
  const started = (await mustOk(
    consumer.api('POST', '/negotiations', {
      counterPartyAddress: `${provider.url}/dsp`,
      counterPartyId: provider.did,
      datasetId: DATASET,
      offer,
    }),
    'start',
  )) as { id: string };
  const done = (await mustOk(
    consumer.api(
      'GET',
      `/negotiations/${encodeURIComponent(started.id)}?waitFor=FINALIZED,TERMINATED&timeoutMs=30000`,
    ),
    'wait',
  )) as { state: string; reason: string | null };
  if (done.state !== 'FINALIZED') throw new Error(`negotiation ended ${done.state}: ${done.reason}`);
  return performance.now() - t;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? Number.NaN;
}

async function echoServer(): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}

/** Median of `n` sequential POSTs of a small JSON body (fetch, keep-alive), in ms. */
async function roundTrip(url: string, n: number): Promise<number> {
  const body = JSON.stringify({ '@type': 'ContractNegotiationEventMessage', eventType: 'FINALIZED' });
  const times: number[] = [];
  for (let i = 0; i < n + 100; i++) {
    const t = performance.now();
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    await response.text();
    if (i >= 100) times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return percentile(times, 50);
}

/** Negotiations per second with `inFlight` running at any time, for about `seconds`. */
async function throughput(
  consumer: Child,
  provider: Child,
  offer: unknown,
  inFlight: number,
  seconds: number,
): Promise<{ perSecond: number; done: number; median: number; p95: number }> {
  const deadline = performance.now() + seconds * 1000;
  const t = performance.now();
  const times: number[] = [];
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < deadline) times.push(await negotiate(consumer, provider, offer));
    }),
  );
  const elapsed = (performance.now() - t) / 1000;
  times.sort((a, b) => a - b);
  return {
    perSecond: times.length / elapsed,
    done: times.length,
    median: percentile(times, 50),
    p95: percentile(times, 95),
  };
}

/** What one backend measured, for the side-by-side table. */
interface BackendResult {
  readonly backend: string;
  readonly median: number;
  readonly perSecond: number[];
}

/**
 * On SQLite, then on PostgreSQL when one is available (SHUYU_BENCH_DATABASE_URL, a server whose user may
 * create databases, or the tests' throwaway cluster), and the two side by side.
 */
export async function run(): Promise<void> {
  const results = [await runOn('SQLite', undefined)];
  if (process.env.SHUYU_BENCH_POSTGRES === '0') return;
  const available = await postgresForTests(process.env.SHUYU_BENCH_DATABASE_URL);
  if (available.ok) results.push(await runOn('PostgreSQL', () => available.postgres.createDatabase()));
  else console.log(`\n(PostgreSQL not measured: ${available.reason})`);
  if (results.length < 2) return;
  console.log('\n# Negotiation, SQLite and PostgreSQL side by side (same machine, same run)');
  console.log(`backend     | alone median | ${LEVELS.map((l) => `${l} in flight`.padStart(13)).join(' | ')}`);
  for (const r of results) {
    console.log(
      `${r.backend.padEnd(11)} | ${`${r.median.toFixed(2)} ms`.padStart(12)} | ` +
        r.perSecond.map((n) => `${n.toFixed(0)}/s`.padStart(13)).join(' | '),
    );
  }
}

async function runOn(
  backend: string,
  createDatabase: (() => Promise<string>) | undefined,
): Promise<BackendResult> {
  console.log(
    `\n# Contract negotiation, two connector processes on 127.0.0.1 (request → FINALIZED), ${backend}`,
  );
  const [providerDb, consumerDb] = createDatabase ? [await createDatabase(), await createDatabase()] : [];
  const perSecond: number[] = [];
  let median: number | undefined;
  const dir = await mkdtemp(join(tmpdir(), 'shuyu-bench-negotiation-'));
  const profileDir = process.env.SHUYU_BENCH_CPU_PROF;
  const authority = await startAuthority({ dataDir: join(dir, 'authority'), port: 0 });
  const echo = await echoServer();
  const children: Child[] = [];
  try {
    const adminKey = await authority.service.createAdminKey('bench');
    const hospital = {
      sectors: [{ sector: 'medical', roles: ['hospital', 'research-institute'] }],
      dataGradeClearance: 'important',
      contact: 'data-office@hospital.example',
    };
    const providerPort = await prepare(
      authority,
      adminKey,
      join(dir, 'provider'),
      {
        ...hospital,
        organisationName: 'Provider Hospital',
        registrationNumber: '91440300708461136T',
      },
      providerDb,
    );
    const consumerPort = await prepare(
      authority,
      adminKey,
      join(dir, 'consumer'),
      {
        ...hospital,
        organisationName: 'Consumer Clinic',
        registrationNumber: '91110000802100433B',
      },
      consumerDb,
    );
    const [provider, consumer] = await Promise.all([
      startChild(join(dir, 'provider'), providerPort, authority.url, profileDir, providerDb),
      startChild(join(dir, 'consumer'), consumerPort, authority.url, profileDir, consumerDb),
    ]);
    children.push(provider, consumer);

    await mustOk(
      provider.api('POST', '/assets', {
        id: DATASET,
        title: 'Outpatient visits',
        keywords: ['outpatient'],
        sector: 'medical',
        dataGrade: 'general',
        format: 'text/csv',
        licence: 'https://provider.example/licences/research',
        publisher: provider.did,
        dataAddress: { kind: 'inline', data: 'visit,count\n2026-01,12\n' },
      }),
      'asset',
    );
    await mustOk(
      provider.api('POST', '/offers', {
        id: 'research',
        assetSelector: { assetIds: [DATASET] },
        accessPolicy: {
          permission: [
            {
              action: 'read',
              constraint: [
                {
                  leftOperand: 'shuyu:credentialType',
                  operator: 'hasPart',
                  rightOperand: 'MembershipCredential',
                },
              ],
            },
          ],
        },
        contractPolicy: {
          '@type': 'Offer',
          permission: [
            {
              action: 'use',
              constraint: [
                {
                  leftOperand: 'shuyu:credentialType',
                  operator: 'hasPart',
                  rightOperand: 'MembershipCredential',
                },
                { leftOperand: 'shuyu:sector', operator: 'isA', rightOperand: 'medical' },
                {
                  leftOperand: 'dateTime',
                  operator: 'lt',
                  rightOperand: { '@value': '2099-01-01T00:00:00Z', '@type': 'xsd:dateTime' },
                },
              ],
            },
          ],
          prohibition: [{ action: 'distribute' }],
        },
      }),
      'offer',
    );
    // The offer as the provider's catalog shows it to the consumer, read once.
    const { dataset } = (await mustOk(
      consumer.api('POST', '/catalog/dataset', {
        counterPartyAddress: `${provider.url}/dsp`,
        counterPartyId: provider.did,
        datasetId: DATASET,
      }),
      'dataset',
    )) as { dataset: { hasPolicy: unknown[] } };
    const offer = dataset.hasPolicy[0];

    const rtt = await roundTrip(echo.url, 2000);
    console.log(`bare HTTP round trip (node:http echo, fetch, keep-alive): median ${rtt.toFixed(3)} ms`);

    for (let i = 0; i < 20; i++) await negotiate(consumer, provider, offer); // warm up both processes
    // What the two connectors burn while nothing happens (timers, sweeps, polls).
    const idleBefore = await Promise.all([cpuMs(consumer.pid), cpuMs(provider.pid)]);
    await new Promise((resolve) => setTimeout(resolve, IDLE_SECONDS * 1000));
    const idleAfter = await Promise.all([cpuMs(consumer.pid), cpuMs(provider.pid)]);
    const idle = (i: 0 | 1): string => {
      const [a, b] = [idleBefore[i], idleAfter[i]];
      return a === undefined || b === undefined ? '?' : ((b - a) / IDLE_SECONDS).toFixed(0);
    };
    console.log(`idle, ${IDLE_SECONDS} s: CPU consumer ${idle(0)} ms/s, provider ${idle(1)} ms/s`);
    const latencies: number[] = [];
    // On the clock of V8's profiles (monotonic, µs), for bench/profile-summary.ts.
    const marks: [number, number][] = [];
    for (let i = 0; i < LATENCY_RUNS; i++) {
      const start = process.hrtime.bigint();
      latencies.push(await negotiate(consumer, provider, offer));
      marks.push([Number(start / 1000n), Number(process.hrtime.bigint() / 1000n)]);
    }
    if (profileDir !== undefined && createDatabase === undefined) {
      const pids = { consumer: consumer.pid, provider: provider.pid };
      await writeFile(join(profileDir, 'marks.json'), JSON.stringify({ ...pids, marks }));
    }
    latencies.sort((a, b) => a - b);
    median = percentile(latencies, 50);
    console.log(
      `one negotiation alone (${LATENCY_RUNS} in a row): median ${median.toFixed(2)} ms, ` +
        `p95 ${percentile(latencies, 95).toFixed(2)} ms = ${(median / rtt).toFixed(0)}x a bare round trip ` +
        `(it takes 5 HTTP exchanges: the management call and 4 DSP messages)`,
    );
    if (createDatabase === undefined) {
      console.log(
        '(store counts per side: statements and transactions run by better-sqlite3 on the main thread, no ' +
          'thread-pool trips; waits = statements deferred to a later event-loop turn, turn budget spent or file busy)',
      );
    }
    for (const level of LEVELS) {
      const before = await Promise.all([cpuMs(consumer.pid), cpuMs(provider.pid)]);
      const statsBefore = await Promise.all([consumer.stats(), provider.stats()]);
      const driverBefore = process.cpuUsage();
      const r = await throughput(consumer, provider, offer, level, LEVEL_SECONDS);
      const driver = process.cpuUsage(driverBefore);
      perSecond.push(r.perSecond);
      const after = await Promise.all([cpuMs(consumer.pid), cpuMs(provider.pid)]);
      const statsAfter = await Promise.all([consumer.stats(), provider.stats()]);
      const perSide = (i: 0 | 1): string => {
        const [a, b] = [statsBefore[i] as StoreStats, statsAfter[i] as StoreStats];
        const per = (k: keyof StoreStats): string => ((b[k] - a[k]) / r.done).toFixed(1);
        return `${per('statements')} statements, ${per('transactions')} transactions, ${per('waits')} waits, ${per('busy')} busy retries`;
      };
      const perNegotiation = (i: 0 | 1): string => {
        const [a, b] = [before[i], after[i]];
        return a === undefined || b === undefined ? '?' : ((b - a) / r.done).toFixed(1);
      };
      // What the machine's cores allow when every process is busy: the bound CPU puts on the rate.
      const driverMs = (driver.user + driver.system) / 1000 / r.done;
      const totalMs = Number(perNegotiation(0)) + Number(perNegotiation(1)) + driverMs;
      const ceiling = (availableParallelism() * 1000) / totalMs;
      console.log(
        `${String(level).padStart(4)} in flight: ${r.perSecond.toFixed(0).padStart(5)} negotiations/s ` +
          `(${r.done} in ${LEVEL_SECONDS} s; latency median ${r.median.toFixed(1)} ms, p95 ${r.p95.toFixed(1)} ms; ` +
          `CPU per negotiation: consumer ${perNegotiation(0)} ms, provider ${perNegotiation(1)} ms); ` +
          `${(r.perSecond / 20).toFixed(1)}x the 20/s of peers' default engines`,
      );
      // storeStats() counts the SQLite binding's statements only: on PostgreSQL there is nothing to print.
      if (createDatabase === undefined) {
        console.log(`      per negotiation: consumer ${perSide(0)}; provider ${perSide(1)}`);
      }
      console.log(
        `      CPU of this bench's own client ${driverMs.toFixed(1)} ms per negotiation; all three processes ` +
          `${totalMs.toFixed(1)} ms, so ${availableParallelism()} cores allow at most ${ceiling.toFixed(0)}/s`,
      );
    }
  } finally {
    await Promise.all(children.map((c) => c.stop()));
    echo.server.close();
    echo.server.closeAllConnections();
    await authority.close();
    await rm(dir, { recursive: true, force: true });
  }
  return { backend, median: median ?? Number.NaN, perSecond };
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  await run();
}
