// Data plane pull throughput and memory: a large sparse file (1 GiB by default,
// SHUYU_BENCH_PULL_BYTES to change) pulled through the data plane router (EDR check, usage
// counter in SQLite, policy decision, pipeline) beside a bare Node http server streaming the same
// file with the same fs stream, in the same run; the client is a separate process, so this
// process is only the server. Then the peak RSS and heap while serving two file sizes, to show
// memory stays flat as the file grows. Nothing here asserts; the figures go into closing notes.

import express from 'express';
import { execFile } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import {
  DATAPLANE_MIGRATIONS,
  UsageMeter,
  createDataPlaneRouter,
  createSourceRegistry,
  issueEdr,
  type TransferView,
} from '../connector/dataplane/index.js';
import { listen } from '../connector/http/server.js';
import { createDidSigner, openKeyStore } from '../connector/identity/index.js';
import { Database } from '../connector/store/database.js';
import { compilePolicy } from '../policies/index.js';

const run$ = promisify(execFile);
const MB = 1_000_000;
const MIB = 1024 * 1024;
const PROVIDER = 'did:web:provider.example';
const CONSUMER = 'did:web:consumer.example';
const ROUNDS = 5;

/** The client, in its own process: GET, count the bytes, report the time. */
const CLIENT = `
import { request } from 'node:http';
const [url, authorization] = process.argv.slice(1);
const started = process.hrtime.bigint();
request(url, { agent: false, headers: authorization ? { authorization } : {} }, (res) => {
  let bytes = 0;
  res.on('data', (chunk) => { bytes += chunk.length; });
  res.on('end', () => {
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    console.log(JSON.stringify({ status: res.statusCode, bytes, ms }));
  });
}).end();
`;

interface Pull {
  readonly status: number;
  readonly bytes: number;
  readonly ms: number;
}

async function pull(url: string, authorization?: string): Promise<Pull> {
  const { stdout } = await run$(process.execPath, [
    '--input-type=module',
    '-e',
    CLIENT,
    url,
    authorization ?? '',
  ]);
  const result = JSON.parse(stdout) as Pull;
  if (result.status !== 200) throw new Error(`pull from ${url} answered ${result.status}`);
  return result;
}

async function sparseFile(path: string, bytes: number): Promise<void> {
  const handle = await open(path, 'w');
  await handle.truncate(bytes);
  await handle.close();
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Peak growth of RSS and heap (over the value before) while `work` runs, sampled every 10 ms. */
async function peakMemory<T>(work: () => Promise<T>): Promise<{ result: T; rss: number; heap: number }> {
  const before = process.memoryUsage();
  let rss = 0;
  let heap = 0;
  const sample = (): void => {
    const now = process.memoryUsage();
    rss = Math.max(rss, now.rss - before.rss);
    heap = Math.max(heap, now.heapUsed - before.heapUsed);
  };
  const timer = setInterval(sample, 10);
  try {
    const result = await work();
    sample();
    return { result, rss, heap };
  } finally {
    clearInterval(timer);
  }
}

export async function run(): Promise<void> {
  const bytes = Number(process.env.SHUYU_BENCH_PULL_BYTES ?? 1024 * MIB);
  if (!Number.isSafeInteger(bytes) || bytes <= 0)
    throw new Error('SHUYU_BENCH_PULL_BYTES must be a positive integer');
  const small = Math.max(1, Math.floor(bytes / 16));
  const dir = await mkdtemp(join(tmpdir(), 'shuyu-bench-dataplane-'));
  let bare: Server | undefined;
  let db: Database | undefined;
  let closeDataPlane: (() => Promise<void>) | undefined;
  try {
    await sparseFile(join(dir, 'large.bin'), bytes);
    await sparseFile(join(dir, 'small.bin'), small);

    // The baseline: Node's http server and fs stream, nothing else.
    bare = createServer((req, res) => {
      const file = join(dir, req.url === '/small.bin' ? 'small.bin' : 'large.bin');
      res.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': req.url === '/small.bin' ? small : bytes,
      });
      pipeline(createReadStream(file), res).catch(() => undefined);
    });
    await new Promise<void>((resolve) => bare?.listen(0, '127.0.0.1', resolve));
    const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}`;

    // The data plane: keys, SQLite usage meter, a count-limited agreement, the router.
    const keys = await openKeyStore(join(dir, 'keys'));
    const identity = { did: PROVIDER, keys, signer: () => createDidSigner(PROVIDER, keys) };
    db = await Database.open(join(dir, 'dataplane.sqlite'), DATAPLANE_MIGRATIONS);
    const { policy } = await compilePolicy({
      '@type': 'Agreement',
      uid: 'urn:agreement:bench',
      assigner: PROVIDER,
      assignee: CONSUMER,
      permission: [
        { action: 'use', constraint: [{ leftOperand: 'count', operator: 'lteq', rightOperand: 1000 }] },
      ],
    });
    const transfers = new Map<string, TransferView>();
    for (const name of ['large.bin', 'small.bin']) {
      transfers.set(name, {
        state: 'STARTED',
        agreementId: `agreement-${name}`,
        consumerDid: CONSUMER,
        policy,
        dataAddress: { kind: 'file', path: name },
      });
    }
    const app = express();
    const server = await listen(app);
    closeDataPlane = () => server.close();
    const publicUrl = `${server.url}/dataplane`;
    app.use(
      '/dataplane',
      createDataPlaneRouter({
        identity,
        lookupTransfer: (id) => transfers.get(id),
        meter: new UsageMeter(db),
        sources: createSourceRegistry({ file: { baseDirectories: [dir] } }),
        publicUrl,
      }),
    );
    const edr = async (transferId: string) =>
      issueEdr(
        {
          agreementId: `agreement-${transferId}`,
          transferId,
          consumerDid: CONSUMER,
          providerDid: PROVIDER,
          endpoint: publicUrl,
          lifetimeSeconds: 3600,
        },
        identity.signer(),
      );
    const large = await edr('large.bin');
    const smallEdr = await edr('small.bin');
    const auth = (e: { authorization: string }) => `Bearer ${e.authorization}`;

    console.log(
      `\n# Data plane pull (connector/dataplane): ${(bytes / MIB).toFixed(0)} MiB sparse file, client in a child process`,
    );
    // Warm up both paths (JIT, page cache, SQLite), then alternate so drift hits both alike.
    await pull(`${bareUrl}/small.bin`);
    await pull(smallEdr.endpoint, auth(smallEdr));
    const bareRates: number[] = [];
    const planeRates: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const b = await pull(`${bareUrl}/large.bin`);
      const p = await pull(large.endpoint, auth(large));
      if (b.bytes !== bytes || p.bytes !== bytes)
        throw new Error('a pull returned the wrong number of bytes');
      bareRates.push(b.bytes / MB / (b.ms / 1000));
      planeRates.push(p.bytes / MB / (p.ms / 1000));
    }
    const bareRate = median(bareRates);
    const planeRate = median(planeRates);
    console.log(
      `${'bare Node http server + fs stream (baseline)'.padEnd(58)} ${bareRate.toFixed(0).padStart(7)} MB/s`,
    );
    console.log(
      `${'data plane router (EDR, usage count, policy, pipeline)'.padEnd(58)} ${planeRate.toFixed(0).padStart(7)} MB/s`,
    );
    console.log(
      `  ratio: the data plane reaches ${((planeRate / bareRate) * 100).toFixed(1)}% of the baseline (median of ${ROUNDS} alternating runs; target >= 95%)`,
    );

    console.log('\n# Data plane memory while serving (server process; peak growth over the value before)');
    for (const [label, e, size] of [
      ['small', smallEdr, small],
      ['large', large, bytes],
    ] as const) {
      const { rss, heap } = await peakMemory(() => pull(e.endpoint, auth(e)));
      console.log(
        `${`${label} file, ${(size / MIB).toFixed(0)} MiB`.padEnd(58)} RSS +${(rss / MIB).toFixed(1)} MiB, heap +${(heap / MIB).toFixed(1)} MiB`,
      );
    }
  } finally {
    await closeDataPlane?.();
    if (bare) {
      bare.closeAllConnections();
      await new Promise((resolve) => bare?.close(resolve));
    }
    await db?.close();
    await rm(dir, { recursive: true, force: true });
  }
}
