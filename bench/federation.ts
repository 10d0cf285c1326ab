// Federated catalog search (catalog/federation) over an index of 10,000 datasets from 20 providers on
// a real SQLite file: a text query plus two facets, as an admin (no per-asker filtering), as a
// member (each distinct access policy evaluated for its claims) and anonymously, and a browse with no
// text; beside two same-run baselines on the same tables: a bare FTS5 query and a plain LIKE query
// (page of 20 and count, no visibility, no facets). Also the time to index the 10,000 datasets.
import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AuthorityService } from '../catalog/authority/service.js';
import { AUTHORITY_MIGRATIONS } from '../catalog/authority/store.js';
import { catalogHash, datasetsOf } from '../catalog/federation/crawl/normalise.js';
import { OfferPreparer } from '../catalog/federation/crawl/prepare.js';
import {
  FEDERATION_MIGRATIONS,
  FederatedSearch,
  type Asker,
  type SearchQuery,
} from '../catalog/federation/index.js';
import { VisibilityEvaluator } from '../catalog/federation/policy/visibility.js';
import { IndexStore } from '../catalog/federation/store/index-store.js';
import { ACCESS_POLICY_KEY } from '../connector/assets/index.js';
import type { JsonObject } from '../connector/dsp/messages/types.js';
import { openProcessIdentity } from '../connector/identity/index.js';
import { Database } from '../connector/store/database.js';

const DATASETS = 10_000;
const PROVIDERS = 20;
const RUNS = 300;
const SECTORS = ['medical', 'finance', 'energy', 'education'] as const;
const SUBJECTS: Readonly<Record<string, readonly string[]>> = {
  medical: ['outpatient', 'pharmacy'],
  finance: ['credit', 'payments'],
  energy: ['load', 'charging'],
  education: ['student', 'enrolment'],
};
const WORDS = ['weekly', 'daily', 'regional', 'anonymised', 'aggregated', 'district', 'annual', 'hourly'];
// Valid unified social credit codes (public records) for the bench providers' applications.
const USCC = ['91440300708461136T', '91110000802100433B'];

function template(sector: string): JsonObject {
  const url = new URL(`../policies/templates/${sector}.json`, import.meta.url);
  return JSON.parse(readFileSync(fileURLToPath(url), 'utf8')) as JsonObject;
}

const membership = {
  leftOperand: 'shuyu:credentialType',
  operator: 'hasPart',
  rightOperand: 'MembershipCredential',
};
/** Four audiences, in turn: anyone, members, members of the dataset's sector, members cleared for important. */
function access(kind: number, sector: string): JsonObject {
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

function dataset(provider: string, i: number, contracts: Map<string, JsonObject>): JsonObject {
  const sector = SECTORS[i % SECTORS.length] as string;
  const subject = SUBJECTS[sector]?.[Math.floor(i / SECTORS.length) % 2] as string;
  const { '@context': _c, uid: _u, ...contract } = contracts.get(sector) as JsonObject;
  return {
    '@id': `urn:bench:${provider.slice(8)}:${i}`,
    '@type': 'Dataset',
    'dct:title': `${WORDS[i % WORDS.length]} ${subject} records ${i}`,
    'dct:description': `${WORDS[(i * 3) % WORDS.length]} ${subject} data of the ${sector} sector, ${WORDS[(i * 5) % WORDS.length]}`,
    'dcat:keyword': [subject, sector],
    'dct:publisher': provider,
    'dct:license': `https://licences.example/${i % 3}`,
    'dct:modified': new Date(Date.parse('2025-01-01T00:00:00Z') + i * 60_000).toISOString(),
    'https://w3id.org/shuyu/v1#sector': sector,
    'https://w3id.org/shuyu/v1#dataGrade': i % 3 === 0 ? 'important' : 'general',
    hasPolicy: [
      {
        '@id': `urn:shuyu:offer:o:${i}`,
        '@type': 'Offer',
        assigner: provider,
        ...contract,
        [ACCESS_POLICY_KEY]: access(Math.floor(i / 8), sector),
      },
    ],
    distribution: [
      {
        '@type': 'Distribution',
        format: 'HttpData-PULL',
        accessService: 'urn:s',
        'dcat:mediaType': i % 2 ? 'text/csv' : 'application/json',
      },
    ],
  };
}

interface Latency {
  readonly name: string;
  readonly medianMs: number;
  readonly p99Ms: number;
  readonly perSecond: number;
}

async function latency(name: string, fn: () => Promise<unknown>): Promise<Latency> {
  for (let i = 0; i < 20; i++) await fn();
  const times: number[] = [];
  const started = process.hrtime.bigint();
  for (let i = 0; i < RUNS; i++) {
    const t = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  const total = Number(process.hrtime.bigint() - started) / 1e9;
  times.sort((a, b) => a - b);
  return {
    name,
    medianMs: times[Math.floor(times.length / 2)] as number,
    p99Ms: times[Math.floor(times.length * 0.99)] as number,
    perSecond: RUNS / total,
  };
}

function line(l: Latency): string {
  return `${l.name.padEnd(62)} median ${l.medianMs.toFixed(2).padStart(7)} ms  p99 ${l.p99Ms
    .toFixed(2)
    .padStart(7)} ms  ${l.perSecond.toFixed(0).padStart(6)} /s`;
}

export async function run(): Promise<void> {
  console.log(
    `\n# Federated catalog search (catalog/federation), ${DATASETS} datasets from ${PROVIDERS} providers`,
  );
  const dir = await mkdtemp(join(tmpdir(), 'shuyu-bench-federation-'));
  const db = await Database.open(join(dir, 'authority.sqlite'), [
    ...AUTHORITY_MIGRATIONS,
    ...FEDERATION_MIGRATIONS,
  ]);
  try {
    const identity = await openProcessIdentity(join(dir, 'keys'), 'http://127.0.0.1:7700');
    const service = await AuthorityService.open({ db, identity, publicUrl: 'http://127.0.0.1:7700' });
    const store = new IndexStore(db);
    const contracts = new Map(SECTORS.map((s) => [s as string, template(s)]));
    const started = Date.now();
    let prepareMs = 0;
    for (let p = 0; p < PROVIDERS; p++) {
      const did = `did:web:bench-provider-${p}.example`;
      const applied = await service.apply(did, {
        organisationName: `Provider ${p}`,
        registrationNumber: USCC[p % 2] as string,
        sectors: [{ sector: 'medical', roles: ['hospital'] }],
        contact: 'ops@example.org',
        connectorUrl: `https://${did.slice(8)}/dsp`,
      });
      await service.approve(applied.id, 'admin:bench');
      const per = DATASETS / PROVIDERS;
      const crawled = datasetsOf({
        dataset: Array.from({ length: per }, (_, i) => dataset(did, p * per + i, contracts)),
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
    console.log(
      `  indexed ${DATASETS} datasets in ${((Date.now() - started) / 1000).toFixed(1)} s ` +
        `(policies compiled, features and summaries: ${(prepareMs / 1000).toFixed(1)} s; the rest SQLite writes)`,
    );

    const search = new FederatedSearch(store, new VisibilityEvaluator(store, () => new Date()));
    const member: Asker = {
      kind: 'member',
      did: 'did:web:bench-member.example',
      claims: {
        participantId: 'did:web:bench-member.example',
        credentialTypes: ['MembershipCredential', 'SectorCredential', 'DataGradeClearance'],
        memberRole: 'participant',
        sectors: ['energy'],
        sectorRoles: ['grid-operator'],
        dataGradeClearance: 'general',
      },
    };
    const admin: Asker = { kind: 'admin', name: 'bench' };
    const anonymous: Asker = { kind: 'anonymous' };
    const query: SearchQuery = {
      q: 'load',
      sector: ['energy'],
      grade: ['general'],
      sort: 'relevance',
      limit: 20,
      offset: 0,
    };
    const browse: SearchQuery = { sort: 'modified', limit: 20, offset: 0 };
    for (const [who, asker] of [
      ['admin', admin],
      ['member', member],
      ['anonymous', anonymous],
    ] as const) {
      const r = await search.search(query, asker);
      console.log(`  "load" + sector=energy + grade=general as ${who}: ${r.total} results`);
    }

    // CROSS JOIN: the full-text index drives the join (as in the search itself; see search/sql.ts).
    const fts = async (): Promise<unknown> => {
      const where = `federation_fts MATCH ? AND d.sector = ? AND d.data_grade = ?`;
      const params = ['"load"*', 'energy', 'general'];
      await db.get(
        `SELECT COUNT(*) AS n FROM federation_fts CROSS JOIN federation_datasets d ON d.id = federation_fts.rowid WHERE ${where}`,
        params,
      );
      return db.all(
        `SELECT d.id, d.title FROM federation_fts CROSS JOIN federation_datasets d ON d.id = federation_fts.rowid
         WHERE ${where} ORDER BY bm25(federation_fts) LIMIT 20`,
        params,
      );
    };
    const like = async (): Promise<unknown> => {
      const where = `(d.title LIKE ? OR d.description LIKE ?) AND d.sector = ? AND d.data_grade = ?`;
      const params = ['%load%', '%load%', 'energy', 'general'];
      await db.get(`SELECT COUNT(*) AS n FROM federation_datasets d WHERE ${where}`, params);
      return db.all(
        `SELECT d.id, d.title FROM federation_datasets d WHERE ${where} ORDER BY d.modified DESC LIMIT 20`,
        params,
      );
    };
    const results = [
      await latency('baseline: bare FTS5 query + count (no visibility, no facets)', fts),
      await latency('baseline: plain LIKE query + count (no visibility, no facets)', like),
      await latency('search "load" + 2 facets, admin (no per-asker filtering)', () =>
        search.search(query, admin),
      ),
      await latency('search "load" + 2 facets, member (per-asker filtering)', () =>
        search.search(query, member),
      ),
      await latency('search "load" + 2 facets, anonymous', () => search.search(query, anonymous)),
      await latency('browse all (no text), member: total + 9 facets over all', () =>
        search.search(browse, member),
      ),
      await latency('browse all (no text), admin', () => search.search(browse, admin)),
    ];
    for (const r of results) console.log(`  ${line(r)}`);
    const base = results[0] as Latency;
    const filtered = results[3] as Latency;
    const unfiltered = results[2] as Latency;
    console.log(
      `  ratio (medians): member search ${(filtered.medianMs / base.medianMs).toFixed(1)}x the bare FTS query, ` +
        `admin search ${(unfiltered.medianMs / base.medianMs).toFixed(1)}x; per-asker filtering adds ` +
        `${(filtered.medianMs - unfiltered.medianMs).toFixed(2)} ms (the rest: facets, hit table, page rendering)`,
    );
  } finally {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  }
}
