// The seed members' connector catalogs (seeds/sectors/*.json, what `npm start` publishes), built in
// process as each member's connector answers a DSP catalog request, without servers or fixed ports.
// Used by the DCAT-AP conformance test and the federated search parity test over the seed data.
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ASSET_MIGRATIONS, AssetStore, Catalog, type Caller } from '../../connector/assets/index.js';
import type { JsonObject } from '../../connector/dsp/messages/index.js';
import { Database } from '../../connector/store/database.js';
import type { RequestClaims } from '../../policies/index.js';
import { loadSeeds, type SeedMember } from '../../seeds/load.js';

export const SEED_NOW = '2026-06-01T00:00:00Z';
const AUTHORITY = 'did:web:authority.example';

/** The DID a seed member's connector has in these tests. */
export const seedDid = (member: SeedMember): string => `did:web:${member.key}.example`;

/** The claims a member's credentials give once the authority approved its application as asked. */
export function seedClaims(member: SeedMember): RequestClaims {
  return {
    participantId: seedDid(member),
    credentialTypes: ['MembershipCredential', 'SectorCredential', 'DataGradeClearance'],
    memberRole: 'participant',
    sectors: member.application.sectors.map((s) => s.sector),
    sectorRoles: member.application.sectors.flatMap((s) => s.roles),
    ...(member.application.dataGradeClearance
      ? { dataGradeClearance: member.application.dataGradeClearance }
      : {}),
  };
}

/** Sees every seed offer: all credentials, sectors and roles, and the federated catalog's role. */
function everyone(members: readonly SeedMember[]): Caller {
  const roles = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value !== null && typeof value === 'object') {
      const node = value as JsonObject;
      if (node.leftOperand === 'shuyu:sectorRole')
        [node.rightOperand].flat().forEach((r) => roles.add(String(r)));
      Object.values(node).forEach(visit);
    }
  };
  members.forEach((m) => m.datasets.forEach((d) => d.offers.forEach((o) => visit(o.accessPolicy))));
  return {
    participantId: AUTHORITY,
    claims: {
      participantId: AUTHORITY,
      credentialTypes: ['MembershipCredential', 'SectorCredential'],
      memberRole: 'catalog',
      sectors: ['medical', 'finance', 'energy', 'education'],
      sectorRoles: [...roles],
      dataGradeClearance: 'core',
    },
  };
}

export interface SeedCatalog {
  readonly member: SeedMember;
  readonly did: string;
  readonly endpointURL: string;
  /** The catalog the federation's crawler receives (it sees every offer). */
  readonly document: JsonObject;
  /** For each name in `viewers`, how many of this member's datasets its connector shows that caller. */
  readonly visibleTo: Readonly<Record<string, number>>;
}

/**
 * Each seed member's connector catalog, built in process as its connector answers the catalog;
 * `viewers` are further callers whose catalog sizes are counted (connector-side visibility).
 */
export async function seedCatalogs(
  root: string,
  viewers: Readonly<Record<string, Caller>> = {},
): Promise<SeedCatalog[]> {
  const members = loadSeeds(root);
  const caller = everyone(members);
  const out: SeedCatalog[] = [];
  for (const member of members) {
    const did = seedDid(member);
    const endpointURL = `https://${member.key}.example/dsp`;
    const dir = mkdtempSync(join(tmpdir(), 'shuyu-seed-catalog-'));
    const db = await Database.open(join(dir, 'c.sqlite'), ASSET_MIGRATIONS);
    try {
      const store = new AssetStore(db, { clock: () => new Date(SEED_NOW) });
      for (const seeded of member.datasets) {
        await store.createAsset(seeded.asset);
        for (const offer of seeded.offers) await store.createOffer(offer);
      }
      const catalog = new Catalog(store, {
        participantId: did,
        endpointURL,
        transferFormats: ['HttpData-PULL', 'HttpData-PUSH'],
        now: () => Date.parse(SEED_NOW),
        publisher: member.publisher,
      });
      const page = await catalog.catalogFor(caller, { limit: 1000 });
      expect(page.total, `${member.key}: every seed dataset is in its catalog`).to.equal(
        member.datasets.length,
      );
      const document = JSON.parse(JSON.stringify(catalog.catalogDocument(page))) as JsonObject;
      const visibleTo: Record<string, number> = {};
      for (const [name, viewer] of Object.entries(viewers))
        visibleTo[name] = (await catalog.catalogFor(viewer, { limit: 1000 })).total;
      out.push({ member, did, endpointURL, document, visibleTo });
    } finally {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return out;
}
