// DSP catalog throughput (connector/assets): a catalog request (one page of 100 datasets the caller
// may see, serialised) with 10, 1,000 and 5,000 offers on as many assets, beside JSON-serialising
// the same precomputed response in the same run. The ratio is what answering a request costs over
// sending a cached answer. Two registries: offers sharing three access policies (the usual case:
// one per audience), and the worst case, every offer with its own access policy. Visibility is
// decided once per caller per snapshot (caller-view.ts), so the steady state costs the page; the
// first request after a write (snapshot refresh + the caller's view) is timed apart, as are the
// refresh alone and the first snapshot (every policy compiled).
//
// Then the page cost against the catalog's size: 1,000 and 50,000 offers with distinct access
// policies, the first page and a page in the middle reached by its keyset cursor. Series that are
// compared are measured in alternating rounds (median of 7), so a busy machine weighs on each alike.

import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ASSET_MIGRATIONS, AssetStore, Catalog, type Caller } from '../connector/assets/index.js';
import { Database } from '../connector/store/database.js';
import { formatRate, measureAsync, ratio, type Rate } from './harness.js';

const PROVIDER = 'did:web:provider.example';
const PAGE = 100;

const medical = JSON.parse(
  readFileSync(fileURLToPath(new URL('../policies/templates/medical.json', import.meta.url)), 'utf8'),
) as object;

const credential = (type: string): object => ({
  leftOperand: 'shuyu:credentialType',
  operator: 'hasPart',
  rightOperand: type,
});

/** Three kinds of access policy, in turn: members, medical members, members for general data. */
const ACCESS: readonly object[] = [
  { permission: [{ action: 'read', constraint: [credential('MembershipCredential')] }] },
  {
    permission: [
      {
        action: 'read',
        constraint: [
          credential('MembershipCredential'),
          { leftOperand: 'shuyu:sector', operator: 'isA', rightOperand: 'medical' },
        ],
      },
    ],
  },
  {
    permission: [
      {
        action: 'read',
        constraint: [
          credential('MembershipCredential'),
          { leftOperand: 'shuyu:dataGrade', operator: 'lteq', rightOperand: 'general' },
        ],
      },
    ],
  },
];

const HOSPITAL: Caller = {
  participantId: 'did:web:hospital.example',
  claims: {
    credentialTypes: ['MembershipCredential', 'SectorCredential'],
    sectors: ['medical'],
    sectorRoles: ['hospital'],
    dataGradeClearance: 'important',
  },
};

/** The i-th access policy when every offer has its own: a unique, always-true time bound. */
function ownAccess(i: number): object {
  const until = new Date(Date.parse('2030-01-01T00:00:00Z') + i * 1000).toISOString();
  return {
    permission: [
      {
        action: 'read',
        constraint: [
          credential('MembershipCredential'),
          { leftOperand: 'dateTime', operator: 'lt', rightOperand: until },
        ],
      },
    ],
  };
}

type AccessMode = 'shared' | 'distinct';

async function registry(
  dir: string,
  offers: number,
  mode: AccessMode,
  name = `${mode}-${offers}`,
): Promise<{ db: Database; store: AssetStore }> {
  const db = await Database.open(join(dir, `bench-${name}.sqlite`), ASSET_MIGRATIONS);
  const store = new AssetStore(db);
  for (let i = 0; i < offers; i++) {
    const id = `urn:bench:dataset:${String(i).padStart(5, '0')}`;
    await store.createAsset({
      id,
      title: `Dataset ${i}`,
      description: 'Outpatient visits per department and week, anonymised',
      keywords: ['outpatient', `dept-${i % 20}`],
      sector: 'medical',
      dataGrade: i % 2 === 0 ? 'general' : 'important',
      format: 'text/csv',
      licence: 'https://provider.example/licences/research',
      publisher: PROVIDER,
      dataAddress: { kind: 'file', path: `/srv/data/${i}.csv` },
    });
    await store.createOffer({
      id: `offer-${i}`,
      assetSelector: { assetIds: [id] },
      accessPolicy: mode === 'shared' ? ACCESS[i % ACCESS.length] : ownAccess(i),
      contractPolicy: medical,
    });
  }
  return { db, store };
}

/** Times an async function for about `seconds`. */
async function measureFor(name: string, fn: () => Promise<unknown>, seconds = 1.5): Promise<Rate> {
  const t = process.hrtime.bigint();
  await fn();
  const once = Math.max(Number(process.hrtime.bigint() - t), 1000);
  return measureAsync(name, fn, Math.max(20, Math.round((seconds * 1e9) / once)));
}

export async function run(): Promise<void> {
  console.log('\n# DSP catalog (connector/assets)');
  const dir = await mkdtemp(join(tmpdir(), 'shuyu-bench-catalog-'));
  try {
    for (const mode of ['shared', 'distinct'] as const) {
      console.log(
        mode === 'shared' ? '## offers sharing 3 access policies' : '## one access policy per offer',
      );
      for (const n of [10, 1000, 5000]) await scenario(dir, n, mode);
    }
    await scaling(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function scenario(dir: string, n: number, mode: AccessMode): Promise<void> {
  const setup = Date.now();
  const { db, store } = await registry(dir, n, mode);
  const catalog = new Catalog(store, {
    participantId: PROVIDER,
    endpointURL: 'https://provider.example/dsp',
  });
  const cold = Date.now();
  await catalog.snapshot();
  const coldMs = Date.now() - cold;
  const request = async (): Promise<string> =>
    JSON.stringify(catalog.catalogDocument(await catalog.catalogFor(HOSPITAL, { limit: PAGE })));
  const page = await catalog.catalogFor(HOSPITAL, { limit: PAGE });
  const precomputed = catalog.catalogDocument(page);
  console.log(
    `  ${n} offers: registered in ${((cold - setup) / 1000).toFixed(1)} s; ${page.total} visible; first snapshot ${coldMs} ms`,
  );
  const [c, b] = (await interleaved([
    { name: `${n} offers: catalog request (page of ${PAGE}, serialised)`, run: request },
    {
      name: `${n} offers: JSON.stringify of the same response (baseline)`,
      run: async () => JSON.stringify(precomputed),
    },
  ])) as [Rate, Rate];
  console.log(formatRate(c));
  console.log(formatRate(b));
  console.log(`  ratio: the catalog request costs ${ratio(c, b)}`);

  // After a write the next request refreshes the snapshot: time that refresh alone.
  let refreshNs = 0;
  const writes = 20;
  for (let k = 0; k < writes; k++) {
    const id = `urn:bench:dataset:${String((k * 37) % n).padStart(5, '0')}`;
    const current = await store.getAsset(id);
    await store.replaceAsset(id, { ...current, title: `Dataset ${k}` });
    const t = process.hrtime.bigint();
    await catalog.snapshot();
    refreshNs += Number(process.hrtime.bigint() - t);
  }
  console.log(`  snapshot refresh after one asset write: ${(refreshNs / writes / 1e6).toFixed(2)} ms`);

  // The first request after a write: refresh + the caller's view (every distinct policy decided once).
  let coldNs = 0;
  for (let k = 0; k < writes; k++) {
    const id = `urn:bench:dataset:${String((k * 53) % n).padStart(5, '0')}`;
    const current = await store.getAsset(id);
    await store.replaceAsset(id, { ...current, title: `Dataset ${k}'` });
    const t = process.hrtime.bigint();
    await request();
    coldNs += Number(process.hrtime.bigint() - t);
  }
  console.log(
    `  first request after one asset write (refresh + caller view): ${(coldNs / writes / 1e6).toFixed(2)} ms`,
  );
  await db.close();
}

/** Time per page at 1,000 and 50,000 offers (one access policy each): the page, not the catalog. */
async function scaling(dir: string): Promise<void> {
  console.log('## time per page against the catalog size (one access policy per offer)');
  const series: Series[] = [];
  const dbs: Database[] = [];
  for (const n of [1000, 50000]) {
    const setup = Date.now();
    const { db, store } = await registry(dir, n, 'distinct', `scale-${n}`);
    dbs.push(db);
    const catalog = new Catalog(store, {
      participantId: PROVIDER,
      endpointURL: 'https://provider.example/dsp',
    });
    const cold = Date.now();
    await catalog.snapshot();
    const coldMs = Date.now() - cold;
    const view = Date.now();
    const firstPage = await catalog.catalogFor(HOSPITAL, { limit: PAGE });
    const viewMs = Date.now() - view;
    const middleQuery = {
      cursor: (await catalog.catalogFor(HOSPITAL, { offset: Math.floor(n / 2), limit: PAGE })).next,
      limit: PAGE,
    };
    console.log(
      `  ${n} offers: registered in ${((cold - setup) / 1000).toFixed(1)} s; first snapshot ${coldMs} ms; caller's view ${viewMs} ms; ${firstPage.total} visible`,
    );
    const serve = (query: object) => async (): Promise<string> =>
      JSON.stringify(catalog.catalogDocument(await catalog.catalogFor(HOSPITAL, query)));
    const precomputed = catalog.catalogDocument(firstPage);
    series.push(
      { name: `${n} offers: first page (page of ${PAGE}, serialised)`, run: serve({ limit: PAGE }) },
      { name: `${n} offers: middle page by cursor (serialised)`, run: serve(middleQuery) },
      {
        name: `${n} offers: JSON.stringify of the first page (baseline)`,
        run: async () => JSON.stringify(precomputed),
      },
    );
  }
  // Both catalogs measured in alternation, so that a machine busy for a while weighs on both alike.
  const [smallFirst, smallMiddle, smallBaseline, largeFirst, largeMiddle, largeBaseline] =
    await interleaved(series);
  for (const r of [smallFirst, smallMiddle, smallBaseline, largeFirst, largeMiddle, largeBaseline])
    console.log(formatRate(r as Rate));
  const times = (a: Rate | undefined, b: Rate | undefined): string =>
    a && b ? (a.nsPerOp / b.nsPerOp).toFixed(2) : '?';
  console.log(
    `  time per page, 50,000 / 1,000 offers: first page ${times(largeFirst, smallFirst)}x, middle page ${times(largeMiddle, smallMiddle)}x (baseline ${times(largeBaseline, smallBaseline)}x)`,
  );
  for (const db of dbs) await db.close();
}

interface Series {
  readonly name: string;
  readonly run: () => Promise<unknown>;
}

/** Median rate of each series over `rounds` rounds of about `seconds` each, the series taking turns. */
async function interleaved(series: readonly Series[], rounds = 7, seconds = 0.25): Promise<Rate[]> {
  const rates: number[][] = series.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (const [i, s] of series.entries()) {
      const r = await measureFor(s.name, s.run, seconds);
      rates[i]?.push(r.perSecond);
    }
  }
  return series.map((s, i) => {
    const sorted = [...(rates[i] ?? [])].sort((a, b) => a - b);
    const perSecond = sorted[Math.floor(sorted.length / 2)] ?? 0;
    return { name: s.name, perSecond, nsPerOp: 1e9 / perSecond };
  });
}
