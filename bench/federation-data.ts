// Shared by the federated catalog benches: the bench scale, generated datasets (as DSP datasets for
// indexing directly, and as assets and offers for real connectors to publish), building an index
// through IndexStore, and latency figures (median, p99) for async calls.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AuthorityService } from '../catalog/authority/service.js';
import { catalogHash, datasetsOf } from '../catalog/federation/crawl/normalise.js';
import { OfferPreparer } from '../catalog/federation/crawl/prepare.js';
import type { IndexStore } from '../catalog/federation/store/index-store.js';
import { ACCESS_POLICY_KEY } from '../connector/assets/index.js';
import type { JsonObject } from '../connector/dsp/messages/types.js';

/**
 * SHUYU_BENCH_SCALE: 1 (default) runs the scale; 0.1 a tenth of every dataset and connector
 * count, for a quick run.
 */
export const SCALE = ((): number => {
  const raw = process.env.SHUYU_BENCH_SCALE;
  if (raw === undefined || raw === '') return 1;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || value > 10) {
    throw new Error(`SHUYU_BENCH_SCALE must be a number in (0, 10], found ${JSON.stringify(raw)}`);
  }
  return value;
})();

/** `n` at the bench scale, at least `min`. */
export function scaled(n: number, min = 1): number {
  return Math.max(min, Math.round(n * SCALE));
}

export const SECTORS = ['medical', 'finance', 'energy', 'education'] as const;
export type BenchSector = (typeof SECTORS)[number];
const SUBJECTS: Readonly<Record<string, readonly string[]>> = {
  medical: ['outpatient', 'pharmacy'],
  finance: ['credit', 'payments'],
  energy: ['load', 'charging'],
  education: ['student', 'enrolment'],
};
const WORDS = ['weekly', 'daily', 'regional', 'anonymised', 'aggregated', 'district', 'annual', 'hourly'];
/** Valid unified social credit codes (public records) for the bench providers' applications. */
export const USCC = ['91440300708461136T', '91110000802100433B'];

const templates = new Map<string, JsonObject>();
/** A sector's contract template (policies/templates), without its context and uid. */
export function template(sector: string): JsonObject {
  let contract = templates.get(sector);
  if (contract === undefined) {
    const url = new URL(`../policies/templates/${sector}.json`, import.meta.url);
    const {
      '@context': _c,
      uid: _u,
      ...rest
    } = JSON.parse(readFileSync(fileURLToPath(url), 'utf8')) as JsonObject;
    contract = rest;
    templates.set(sector, contract);
  }
  return contract;
}

const membership = {
  leftOperand: 'shuyu:credentialType',
  operator: 'hasPart',
  rightOperand: 'MembershipCredential',
};
/** Four audiences, in turn: anyone, members, members of the dataset's sector, members cleared for important. */
export function access(kind: number, sector: string): JsonObject {
  const constraints = [
    [],
    [membership],
    [membership, { leftOperand: 'https://w3id.org/shuyu/v1#sector', operator: 'isA', rightOperand: sector }],
    [
      membership,
      {
        leftOperand: 'https://w3id.org/shuyu/v1#dataGradeClearance',
        operator: 'gteq',
        rightOperand: 'important',
      },
    ],
  ][kind % 4] as JsonObject[];
  return { permission: [{ action: 'read', ...(constraints.length ? { constraint: constraints } : {}) }] };
}

/** The metadata of bench dataset number `i`: sector, subject, words, grade, format, licence. */
export function metadata(
  i: number,
  sectorOf: BenchSector = SECTORS[i % SECTORS.length] as BenchSector,
): {
  sector: BenchSector;
  title: string;
  description: string;
  keywords: string[];
  licence: string;
  modified: string;
  dataGrade: string;
  format: string;
} {
  const sector = sectorOf;
  const subject = SUBJECTS[sector]?.[Math.floor(i / SECTORS.length) % 2] as string;
  return {
    sector,
    title: `${WORDS[i % WORDS.length]} ${subject} records ${i}`,
    description: `${WORDS[(i * 3) % WORDS.length]} ${subject} data of the ${sector} sector, ${WORDS[(i * 5) % WORDS.length]}`,
    keywords: [subject, sector],
    licence: `https://licences.example/${i % 3}`,
    modified: new Date(Date.parse('2025-01-01T00:00:00Z') + i * 60_000).toISOString(),
    dataGrade: i % 3 === 0 ? 'important' : 'general',
    format: i % 2 ? 'text/csv' : 'application/json',
  };
}

/** Bench dataset `i` of `provider` as a provider's DSP catalog lists it (one offer, with its access policy). */
export function dataset(provider: string, i: number): JsonObject {
  const m = metadata(i);
  return {
    '@id': `urn:bench:${provider.slice(8)}:${i}`,
    '@type': 'Dataset',
    'dct:title': m.title,
    'dct:description': m.description,
    'dcat:keyword': m.keywords,
    'dct:publisher': provider,
    'dct:license': m.licence,
    'dct:modified': m.modified,
    'https://w3id.org/shuyu/v1#sector': m.sector,
    'https://w3id.org/shuyu/v1#dataGrade': m.dataGrade,
    hasPolicy: [
      {
        '@id': `urn:shuyu:offer:o:${i}`,
        '@type': 'Offer',
        assigner: provider,
        ...template(m.sector),
        [ACCESS_POLICY_KEY]: access(Math.floor(i / 8), m.sector),
      },
    ],
    distribution: [
      {
        '@type': 'Distribution',
        format: 'HttpData-PULL',
        accessService: 'urn:s',
        'dcat:mediaType': m.format,
      },
    ],
  };
}

/**
 * Indexes `providers` × `perProvider` bench datasets through IndexStore.replaceCatalog: one
 * transaction per provider (all its datasets), as a crawl writes them. Providers become active
 * members first (the search joins the authority's members table).
 */
export async function buildIndex(
  service: AuthorityService,
  store: IndexStore,
  providers: number,
  perProvider: number,
  firstProvider = 0,
): Promise<{ ms: number; prepareMs: number }> {
  const started = Date.now();
  let prepareMs = 0;
  for (let p = firstProvider; p < firstProvider + providers; p++) {
    const did = `did:web:bench-provider-${p}.example`;
    const applied = await service.apply(did, {
      organisationName: `Provider ${p}`,
      registrationNumber: USCC[p % 2] as string,
      sectors: [{ sector: 'medical', roles: ['hospital'] }],
      contact: 'ops@example.org',
      connectorUrl: `https://${did.slice(8)}/dsp`,
    });
    await service.approve(applied.id, 'admin:bench');
    const crawled = datasetsOf({
      dataset: Array.from({ length: perProvider }, (_, i) => dataset(did, p * perProvider + i)),
    });
    const t = Date.now();
    const preparer = new OfferPreparer();
    const prepared = await Promise.all(crawled.map((d) => preparer.prepare(d)));
    prepareMs += Date.now() - t;
    await store.replaceCatalog(did, `https://${did.slice(8)}/dsp`, catalogHash(crawled), prepared, {
      at: new Date().toISOString(),
      durationMs: 0,
      pages: 1,
      warnings: [],
    });
  }
  return { ms: Date.now() - started, prepareMs };
}

export interface Latency {
  readonly name: string;
  readonly runs: number;
  readonly medianMs: number;
  readonly p99Ms: number;
  readonly perSecond: number;
  /**
   * Median CPU time of the process (all threads) per call: on a shared machine the wall times above
   * include waiting for a core, the CPU time does not (one call runs at a time, so it is the call's).
   */
  readonly cpuMedianMs: number;
  readonly cpuP99Ms: number;
}

/**
 * Median and p99 of `fn` over `runs` calls after a warm-up, or fewer when they would take longer
 * than `budgetMs` (at least `minRuns`): slow queries at 100,000 datasets must not take minutes.
 */
export async function latency(
  name: string,
  fn: () => Promise<unknown>,
  { runs = 300, budgetMs = 10_000, minRuns = 30, warmup = 20 } = {},
): Promise<Latency> {
  const warmStarted = Date.now();
  for (let i = 0; i < warmup && (i < 3 || Date.now() - warmStarted < budgetMs / 10); i++) await fn();
  const times: number[] = [];
  const cpu: number[] = [];
  const started = process.hrtime.bigint();
  const deadline = Date.now() + budgetMs;
  while (times.length < runs && (times.length < minRuns || Date.now() < deadline)) {
    const t = process.hrtime.bigint();
    const c = process.cpuUsage();
    await fn();
    const used = process.cpuUsage(c);
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
    cpu.push((used.user + used.system) / 1000);
  }
  cpu.sort((a, b) => a - b);
  const total = Number(process.hrtime.bigint() - started) / 1e9;
  times.sort((a, b) => a - b);
  return {
    name,
    runs: times.length,
    medianMs: times[Math.floor(times.length / 2)] as number,
    p99Ms: times[Math.min(times.length - 1, Math.floor(times.length * 0.99))] as number,
    perSecond: times.length / total,
    cpuMedianMs: cpu[Math.floor(cpu.length / 2)] as number,
    cpuP99Ms: cpu[Math.min(cpu.length - 1, Math.floor(cpu.length * 0.99))] as number,
  };
}

export function line(l: Latency, width = 62): string {
  return `${l.name.padEnd(width)} median ${l.medianMs.toFixed(2).padStart(7)} ms  p99 ${l.p99Ms
    .toFixed(2)
    .padStart(
      7,
    )} ms  ${l.perSecond.toFixed(0).padStart(6)} /s  CPU median ${l.cpuMedianMs.toFixed(2)} ms p99 ${l.cpuP99Ms.toFixed(2)} ms`;
}
