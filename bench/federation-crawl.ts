// Crawling the federated catalog over real HTTP on 127.0.0.1: an authority with its federated catalog
// (startAuthority → openFederation → the real Crawler, default settings: 8 providers at a time) and
// real Shuyu connectors (startControlPlaneConnector, each with its own SQLite file and keys), onboarded
// through the application → approval → credentials flow and publishing assets and offers through
// their AssetStore. Every catalog request carries a fresh request token the provider verifies
// (credentials, status list, replay) before it builds the catalog the crawler may see.
//
// Two scenarios: 100 connectors × 100 datasets, and 1 connector × 10,000 datasets (100 pages of 100).
// For each: the first crawl (everything indexed), a re-crawl with nothing changed (incremental), and
// two same-run baselines over the same catalogs: the crawler's own fetch without indexing
// (fetchCatalog: token, provider verification, catalog building, page validation, normalising) and
// plain HTTP GETs of the very same page bodies from a static server (no token, no verification, no
// validation, no indexing; JSON.parse only), with the same concurrency.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { NO_RATE_LIMITS } from '../connector/http/rate-limit/index.js';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAuthority, type RunningAuthority } from '../catalog/authority/process.js';
import { DEFAULT_FETCH_LIMITS, fetchCatalog, type CrawlSummary } from '../catalog/federation/index.js';
import { hostPolicyFor, LOCAL_DID_HOSTS } from '../connector/process/config.js';
import {
  startControlPlaneConnector,
  type ControlPlaneConnector,
} from '../connector/process/run-connector.js';
import { access, metadata, scaled, SECTORS, template, USCC, type BenchSector } from './federation-data.js';

const ROLES: Readonly<Record<BenchSector, string>> = {
  medical: 'hospital',
  finance: 'bank',
  energy: 'grid-operator',
  education: 'university',
};

/** The crawler's default (CrawlerOptions.concurrency); the baselines use the same. */
const CONCURRENCY = 8;

interface Provider {
  readonly connector: ControlPlaneConnector;
  readonly sector: BenchSector;
  readonly datasets: number;
}

interface Space {
  readonly authority: RunningAuthority;
  readonly adminKey: string;
  readonly dir: string;
  readonly providers: Provider[];
}

async function admin(space: Space, path: string): Promise<void> {
  const response = await fetch(`${space.authority.admin.url}/authority/v1/admin${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${space.adminKey}`, 'content-type': 'application/json' },
    body: '{}',
  });
  if (response.status !== 200) throw new Error(`${path}: HTTP ${response.status} ${await response.text()}`);
}

/** Starts `count` connectors, onboards them (apply → approve → collect credentials). */
async function startProviders(
  space: Space,
  count: number,
  datasets: number,
  first: number,
): Promise<Provider[]> {
  const started: Provider[] = [];
  for (let n = first; n < first + count; n++) {
    const connector = await startControlPlaneConnector({
      dataDir: join(space.dir, `connector-${n}`),
      port: 0,
      authorityUrl: space.authority.url,
      rateLimits: NO_RATE_LIMITS, // the crawl's figures, not the connectors' limits
    });
    const provider = { connector, sector: SECTORS[n % SECTORS.length] as BenchSector, datasets };
    space.providers.push(provider);
    started.push(provider);
  }
  await Promise.all(
    started.map(async ({ connector, sector }, i) => {
      const applied = await connector.authority.apply({
        organisationName: `Bench provider ${first + i}`,
        registrationNumber: USCC[i % 2] as string,
        sectors: [{ sector, roles: [ROLES[sector]] }],
        contact: 'ops@example.org',
        connectorUrl: `${connector.url}/dsp`,
      });
      await admin(space, `/applications/${encodeURIComponent(String(applied.id))}/approve`);
      await connector.collectCredentials();
    }),
  );
  return started;
}

/**
 * `datasets` assets of the provider's sector and two offers: the sector's contract template for
 * members of that sector (every asset), and open terms for anyone on every fourth asset.
 */
async function publish({ connector, sector, datasets }: Provider, n: number): Promise<void> {
  const assets = connector.controlPlane.assets;
  const ids: string[] = [];
  for (let i = 0; i < datasets; i++) {
    const m = metadata(n * datasets + i, sector);
    const id = `urn:bench:${n}:${i}`;
    if (i % 4 === 0) ids.push(id);
    await assets.createAsset({
      id,
      title: m.title,
      description: m.description,
      keywords: m.keywords,
      sector,
      dataGrade: m.dataGrade,
      format: m.format,
      licence: m.licence,
      publisher: connector.did,
      issued: m.modified,
      modified: m.modified,
      dataAddress: { kind: 'inline', data: 'day,count\n2025-01-01,1\n' },
    });
  }
  await assets.createOffer({
    id: 'sector-terms',
    assetSelector: { sector },
    accessPolicy: access(2, sector),
    contractPolicy: template(sector),
  });
  await assets.createOffer({
    id: 'open-sample',
    assetSelector: { assetIds: ids },
    accessPolicy: access(0, sector),
    contractPolicy: {
      '@type': 'Offer',
      permission: [
        {
          action: 'use',
          constraint: [{ leftOperand: 'purpose', operator: 'isA', rightOperand: 'public-health' }],
        },
      ],
    },
  });
}

/** Runs `work` for every item, `CONCURRENCY` at a time (as the crawler does over providers). */
async function pool<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, items.length) }, worker));
}

/** Page bodies per provider, as the provider answered the catalog's requests. */
type Pages = Map<string, string[]>;

/** The crawler's fetch (fetchCatalog with the catalog's tokens) without indexing; optionally records pages. */
async function fetchOnly(space: Space, providers: readonly Provider[], record?: Pages): Promise<number> {
  const identity = space.authority.federation.identity;
  const hostPolicy = hostPolicyFor(LOCAL_DID_HOSTS);
  let datasets = 0;
  await pool(providers, async ({ connector }) => {
    const bodies: string[] = [];
    const recording: typeof fetch = async (url, init) => {
      const response = await fetch(url, init);
      const text = await response.text();
      bodies.push(text);
      return new Response(text, { status: response.status, headers: response.headers });
    };
    const fetched = await fetchCatalog({
      connectorUrl: `${connector.url}/dsp`,
      providerDid: connector.did,
      token: () => identity.requestTokenFor(connector.did),
      hostPolicy,
      limits: DEFAULT_FETCH_LIMITS,
      ...(record ? { fetch: recording } : {}),
    });
    datasets += fetched.datasets.length;
    record?.set(connector.did, bodies);
  });
  return datasets;
}

/** A static server answering GET /<provider index>/<page> with the recorded page bodies. */
async function staticServer(pages: readonly string[][]): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const [, p, n] = (req.url ?? '').split('/');
    const body = pages[Number(p)]?.[Number(n)];
    if (body === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  server.keepAliveTimeout = 10_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Plain GETs of the same pages: per provider one page after the other, CONCURRENCY providers at a time. */
async function plainGets(url: string, pages: readonly string[][]): Promise<number> {
  let datasets = 0;
  await pool(
    pages.map((list, p) => ({ p, count: list.length })),
    async ({ p, count }) => {
      for (let n = 0; n < count; n++) {
        const response = await fetch(`${url}/${p}/${n}`);
        const page = JSON.parse(await response.text()) as { dataset?: unknown[] };
        datasets += page.dataset?.length ?? 0;
      }
    },
  );
  return datasets;
}

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t = process.hrtime.bigint();
  const value = await work();
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, value };
}

function rate(datasets: number, ms: number): string {
  return `${((datasets * 1000) / ms).toFixed(0).padStart(6)} datasets/s`;
}

function row(name: string, ms: number, datasets: number, base?: number): string {
  const ratio = base === undefined ? '' : `  ${(ms / base).toFixed(1).padStart(5)}x the plain GETs`;
  return `    ${name.padEnd(62)} ${(ms / 1000).toFixed(2).padStart(6)} s  ${rate(datasets, ms)}${ratio}`;
}

function check(summary: CrawlSummary, providers: number, changed: boolean): void {
  const expected = changed ? summary.changed : summary.unchanged;
  if (summary.failed > 0 || expected !== providers) {
    throw new Error(`unexpected crawl outcome: ${JSON.stringify(summary)}`);
  }
}

async function scenario(space: Space, title: string, providers: readonly Provider[]): Promise<void> {
  const dids = providers.map((p) => p.connector.did);
  const expected = providers.reduce((n, p) => n + p.datasets, 0);
  console.log(`  ${title}: ${expected} datasets`);
  // Untimed: record the pages (and warm up the providers' catalogs and verifiers).
  const pages: Pages = new Map();
  await fetchOnly(space, providers, pages);
  const bodies = dids.map((did) => pages.get(did) ?? []);
  const pageCount = bodies.reduce((n, b) => n + b.length, 0);
  const bytes = bodies.reduce((n, b) => n + b.reduce((m, t) => m + Buffer.byteLength(t), 0), 0);
  const { server, url } = await staticServer(bodies);
  try {
    const plain = await timed(() => plainGets(url, bodies));
    const fetchedOnly = await timed(() => fetchOnly(space, providers));
    const first = await timed(() => space.authority.federation.crawlNow({ providers: dids }));
    check(first.value, providers.length, true);
    const again = await timed(() => space.authority.federation.crawlNow({ providers: dids }));
    check(again.value, providers.length, false);
    const indexed = first.value.datasets.added + first.value.datasets.updated;
    if (plain.value !== expected || fetchedOnly.value !== expected || indexed !== expected) {
      throw new Error(
        `expected ${expected} datasets; plain GETs read ${plain.value}, fetch ${fetchedOnly.value}, crawl indexed ${indexed}`,
      );
    }
    console.log(
      `    ${pageCount} catalog pages (${(bytes / 1e6).toFixed(1)} MB), ${CONCURRENCY} providers at a time`,
    );
    console.log(row('baseline: plain HTTP GETs of the same pages + JSON.parse', plain.ms, expected));
    console.log(
      row(
        'baseline: crawler fetch, no indexing (token, verify, validate)',
        fetchedOnly.ms,
        expected,
        plain.ms,
      ),
    );
    console.log(row('first crawl (fetch, prepare, index)', first.ms, expected, plain.ms));
    console.log(row('re-crawl, nothing changed (incremental: no writes)', again.ms, expected, plain.ms));
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

export async function crawlBench(): Promise<void> {
  const CONNECTORS = scaled(100, 2);
  const PER = 100;
  const BIG = scaled(10_000, 200);
  console.log(
    `\n# Federated catalog crawl over HTTP on 127.0.0.1: real connectors, the real crawler ` +
      `(all in this process: ${cpus().length} CPUs, ${process.env.UV_THREADPOOL_SIZE ?? 4} libuv threads)`,
  );
  const dir = await mkdtemp(join(tmpdir(), 'shuyu-bench-crawl-'));
  const authority = await startAuthority({
    dataDir: join(dir, 'authority'),
    port: 0,
    federation: { crawlIntervalMs: 0 },
    // A hundred members apply from this one address.
    rateLimits: { applications: { perHourPerAddress: 0, perHourPerDid: 0 } },
  });
  const space: Space = {
    authority,
    adminKey: await authority.service.createAdminKey('bench'),
    dir,
    providers: [],
  };
  try {
    let t = Date.now();
    const many = await startProviders(space, CONNECTORS, PER, 0);
    const onboarded = Date.now() - t;
    t = Date.now();
    await Promise.all(many.map((p, n) => publish(p, n)));
    console.log(
      `  setup: ${CONNECTORS} connectors started and onboarded in ${(onboarded / 1000).toFixed(1)} s, ` +
        `${CONNECTORS * PER} assets published in ${((Date.now() - t) / 1000).toFixed(1)} s ` +
        `(rss ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB)`,
    );
    await scenario(space, `${CONNECTORS} connectors × ${PER} datasets`, many);

    t = Date.now();
    const [big] = await startProviders(space, 1, BIG, CONNECTORS);
    await publish(big as Provider, CONNECTORS);
    console.log(
      `  setup: 1 connector with ${BIG} assets published in ${((Date.now() - t) / 1000).toFixed(1)} s ` +
        `(its catalog pages hold 100 datasets, the connector's default)`,
    );
    await scenario(
      space,
      `1 connector × ${BIG} datasets (the index already holds the ${CONNECTORS * PER} above)`,
      [big as Provider],
    );
  } finally {
    await Promise.all(space.providers.map((p) => p.connector.close().catch(() => undefined)));
    await authority.close();
    await rm(dir, { recursive: true, force: true });
  }
}
