// DSP catalog throughput (connector/assets): a catalog request (visibility of every offer for the
// caller, one page of 100 datasets, serialised) with 10, 1,000 and 5,000 offers on as many assets,
// beside JSON-serialising the same precomputed response in the same run. The ratio is what deciding
// visibility per request costs over sending a cached answer. Two registries: offers sharing three
// access policies (the usual case: one per audience; each distinct policy is evaluated once per
// grade), and the worst case, every offer with its own access policy. Also: the refresh after one
// write, and the first snapshot (every policy compiled).

import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ASSET_MIGRATIONS, AssetStore, Catalog, type Caller } from '../connector/assets/index.js';
import { Database } from '../connector/store/database.js';
import { formatRate, measure, measureAsync, ratio, type Rate } from './harness.js';

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
): Promise<{ db: Database; store: AssetStore }> {
  const db = await Database.open(join(dir, `bench-${mode}-${offers}.sqlite`), ASSET_MIGRATIONS);
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
  const c = await measureFor(`${n} offers: catalog request (page of ${PAGE}, serialised)`, request);
  const b = measure(`${n} offers: JSON.stringify of the same response (baseline)`, () =>
    JSON.stringify(precomputed),
  );
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
  await db.close();
}
