// The index and the per-asker view on a real authority database (SQLite file), without HTTP: offers
// without an access policy fail closed, access policies are evaluated exactly as the provider would
// (assigner, time), provider state counts at once, and the catalog's own credentials renew.
import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthorityService } from '../../catalog/authority/service.js';
import { AUTHORITY_MIGRATIONS } from '../../catalog/authority/store.js';
import {
  CatalogIdentity,
  FEDERATION_MIGRATIONS,
  FederatedSearch,
  type Asker,
} from '../../catalog/federation/index.js';
import { datasetsOf, catalogHash } from '../../catalog/federation/crawl/normalise.js';
import { OfferPreparer } from '../../catalog/federation/crawl/prepare.js';
import { crawlStatus } from '../../catalog/federation/crawl/status.js';
import { VisibilityEvaluator } from '../../catalog/federation/policy/visibility.js';
import { IndexStore } from '../../catalog/federation/store/index-store.js';
import { ACCESS_POLICY_KEY } from '../../connector/assets/index.js';
import type { JsonObject } from '../../connector/dsp/messages/types.js';
import { openProcessIdentity } from '../../connector/identity/index.js';
import { Database } from '../../connector/store/database.js';
import { USCC_A, USCC_B } from '../authority/helpers.js';

const A = 'did:web:provider-a.example';
const B = 'did:web:provider-b.example';
const HOSPITAL: Asker = {
  kind: 'member',
  did: 'did:web:hospital.example',
  claims: {
    participantId: 'did:web:hospital.example',
    credentialTypes: ['MembershipCredential', 'SectorCredential'],
    memberRole: 'participant',
    sectors: ['medical'],
    sectorRoles: ['hospital'],
  },
};
const ADMIN: Asker = { kind: 'admin', name: 'test' };
const USE = { permission: [{ action: 'use' }] };

function offer(id: string, access?: JsonObject): JsonObject {
  return {
    '@id': id,
    '@type': 'Offer',
    assigner: A,
    ...USE,
    ...(access ? { [ACCESS_POLICY_KEY]: access } : {}),
  };
}

function dataset(id: string, offers: JsonObject[]): JsonObject {
  return {
    '@id': id,
    '@type': 'Dataset',
    'dct:title': `Dataset ${id}`,
    'https://w3id.org/shuyu/v1#dataGrade': 'general',
    hasPolicy: offers,
    distribution: [{ '@type': 'Distribution', format: 'HttpData-PULL', accessService: 'urn:s' }],
  };
}

describe('federation: index, visibility and the catalog identity', () => {
  let dir: string;
  let db: Database;
  let service: AuthorityService;
  let store: IndexStore;
  let search: FederatedSearch;
  let now = Date.parse('2026-06-01T00:00:00Z');
  const clock = () => new Date(now);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'shuyu-federation-index-'));
    const identity = await openProcessIdentity(join(dir, 'keys'), 'http://127.0.0.1:7799', clock);
    db = await Database.open(join(dir, 'authority.sqlite'), [
      ...AUTHORITY_MIGRATIONS,
      ...FEDERATION_MIGRATIONS,
    ]);
    service = await AuthorityService.open({
      db,
      identity,
      publicUrl: 'http://127.0.0.1:7799',
      clock,
      credentialValidityDays: 90,
    });
    for (const [did, registrationNumber] of [
      [A, USCC_A],
      [B, USCC_B],
    ] as const) {
      const applied = await service.apply(did, {
        organisationName: `Provider ${did.slice(-9)}`,
        registrationNumber,
        sectors: [{ sector: 'medical', roles: ['hospital'] }],
        contact: 'ops@example.org',
        connectorUrl: `https://${did.slice(8)}/dsp`,
      });
      await service.approve(applied.id, 'admin:test');
    }
    store = new IndexStore(db);
    search = new FederatedSearch(store, new VisibilityEvaluator(store, clock));
  });
  after(async () => {
    await db?.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function index(provider: string, datasets: JsonObject[]): Promise<void> {
    const crawled = datasetsOf({ dataset: datasets });
    const preparer = new OfferPreparer();
    const prepared = await Promise.all(crawled.map((d) => preparer.prepare(d)));
    await store.replaceCatalog(provider, `https://${provider.slice(8)}/dsp`, catalogHash(crawled), prepared, {
      at: clock().toISOString(),
      durationMs: 1,
      pages: 1,
      warnings: [],
    });
  }

  const visible = async (asker: Asker, q?: string): Promise<string[]> =>
    (await search.search({ sort: 'title', limit: 100, offset: 0, ...(q ? { q } : {}) }, asker)).results.map(
      (r) => `${r.provider.did === A ? 'A' : 'B'}:${r.datasetId}`,
    );

  it('shows an offer without a published access policy to nobody but admins, and says so in the status', async () => {
    await index(A, [
      dataset('urn:ds:no-policy', [offer('urn:o:1')]),
      dataset('urn:ds:open', [offer('urn:o:2', USE)]),
    ]);
    expect(await visible(HOSPITAL)).to.deep.equal(['A:urn:ds:open']);
    // An unconstrained access policy admits even a caller holding nothing.
    expect(await visible({ kind: 'anonymous' })).to.deep.equal(['A:urn:ds:open']);
    expect(await visible(ADMIN)).to.deep.equal(['A:urn:ds:no-policy', 'A:urn:ds:open']);
    const forAdmin = await search.dataset(A, 'urn:ds:no-policy', ADMIN);
    expect(forAdmin?.offers[0]?.accessPolicyPublished).to.equal(false);
    expect(await search.dataset(A, 'urn:ds:no-policy', HOSPITAL)).to.equal(undefined);

    const status = (await crawlStatus(service, store)).find((s) => s.did === A);
    expect(status).to.include({ offersWithoutAccessPolicy: 1, offerCount: 2, datasetCount: 2 });
    expect(status?.notes.join(' ')).to.match(/without an access policy.*fail closed/);
  });

  it('evaluates an access policy that names an assigner per provider, as each provider would', async () => {
    const onlyFromA = { permission: [{ action: 'read', assigner: A }] };
    await index(A, [dataset('urn:ds:a', [offer('urn:o:a', onlyFromA)])]);
    await index(B, [dataset('urn:ds:b', [offer('urn:o:b', onlyFromA)])]);
    expect(await visible(HOSPITAL)).to.deep.equal(['A:urn:ds:a']);
    expect(await visible(ADMIN)).to.deep.equal(['A:urn:ds:a', 'B:urn:ds:b']);
  });

  it('evaluates access policies at search time (a dateTime limit closes an offer when it passes)', async () => {
    const until = {
      permission: [
        {
          action: 'read',
          constraint: [{ leftOperand: 'dateTime', operator: 'lt', rightOperand: '2026-07-01T00:00:00Z' }],
        },
      ],
    };
    await index(B, [dataset('urn:ds:until-july', [offer('urn:o:t', until)])]);
    expect(await visible({ kind: 'anonymous' })).to.deep.equal(['A:urn:ds:a', 'B:urn:ds:until-july']);
    now = Date.parse('2026-07-02T00:00:00Z');
    expect(await visible({ kind: 'anonymous' })).to.deep.equal(['A:urn:ds:a']);
    now = Date.parse('2026-06-01T00:00:00Z');
  });

  it('hides a suspended provider at once and shows it again when reinstated', async () => {
    await service.suspend(B, 'admin:test', 'audit');
    expect(await visible(ADMIN)).to.deep.equal(['A:urn:ds:a']);
    await service.reinstate(B, 'admin:test');
    expect(await visible(ADMIN)).to.deep.equal(['A:urn:ds:a', 'B:urn:ds:until-july']);
  });

  it('issues the catalog a catalog-role membership and one credential per sector, and renews them before expiry', async () => {
    const identity = new CatalogIdentity({
      service,
      identity: await openProcessIdentity(join(dir, 'keys'), 'http://127.0.0.1:7799', clock),
      db,
      clock,
      renewBeforeMs: 10 * 86_400_000,
    });
    expect(await identity.credentials()).to.have.length(6);
    const first = await identity.records();
    expect(first.map((r) => `${r.type}${r.sector ? ':' + r.sector : ''}`).sort()).to.deep.equal([
      'DataGradeClearance',
      'MembershipCredential',
      'SectorCredential:education',
      'SectorCredential:energy',
      'SectorCredential:finance',
      'SectorCredential:medical',
    ]);
    const payload = JSON.parse(
      Buffer.from(
        (first.find((r) => r.type === 'MembershipCredential')?.credential ?? '').split('.')[1] ?? '',
        'base64url',
      ).toString(),
    ) as {
      credentialSubject: { role: string; id: string };
    };
    expect(payload.credentialSubject).to.include({ role: 'catalog', id: service.did });

    // 70 days into 90: still valid; 81 days: within 10 days of expiry, so renewed, the old set revoked.
    now += 70 * 86_400_000;
    await identity.credentials();
    expect((await identity.records()).map((r) => r.id)).to.deep.equal(first.map((r) => r.id));
    now += 11 * 86_400_000;
    await identity.credentials();
    const renewed = await identity.records();
    expect(renewed).to.have.length(6);
    const before = new Set(first.map((r) => r.id));
    expect(renewed.filter((r) => before.has(r.id))).to.deep.equal([]);
    const [audit] = await service.auditLog({ subject: service.did, limit: 1 });
    expect(audit?.action).to.equal('catalog.credentials.issue');
    expect((audit?.detail?.revokedStatusIndexes as number[]).sort()).to.deep.equal(
      first.map((r) => r.status_index).sort(),
    );
  });
});
