// Fixtures for the asset registry tests: a registry on a real SQLite file in a temp dir, assets and
// offers built from the sector templates, and callers with and without the credentials they need.

import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ASSET_MIGRATIONS, AssetStore, Catalog, type Caller } from '../../connector/assets/index.js';
import type { Store } from '../../connector/store/database.js';
import { openTestStore } from '../support/store.js';

export const PROVIDER = 'did:web:provider.example';
export const ENDPOINT = 'https://provider.example/dsp';
/** The fixed "now" of registry writes and policy evaluations. */
export const NOW = Date.parse('2026-06-01T00:00:00Z');

export type JsonObject = { [key: string]: unknown };

export function template(sector: 'medical' | 'finance' | 'education' | 'energy'): JsonObject {
  const url = new URL(`../../policies/templates/${sector}.json`, import.meta.url);
  return JSON.parse(readFileSync(fileURLToPath(url), 'utf8')) as JsonObject;
}

export interface Registry {
  readonly dir: string;
  readonly file: string;
  readonly db: Store;
  readonly store: AssetStore;
  readonly catalog: Catalog;
  /** Closes the database and removes the temp dir. */
  close(): Promise<void>;
}

export async function openRegistry(dir = mkdtempSync(join(tmpdir(), 'shuyu-assets-'))): Promise<Registry> {
  const file = join(dir, 'connector.sqlite');
  const db = await openTestStore(file, ASSET_MIGRATIONS);
  const store = new AssetStore(db, { clock: () => new Date(NOW) });
  const catalog = new Catalog(store, { participantId: PROVIDER, endpointURL: ENDPOINT, now: () => NOW });
  return {
    dir,
    file,
    db,
    store,
    catalog,
    close: async () => {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function asset(id: string, extra: JsonObject = {}): JsonObject {
  return {
    id,
    title: `Dataset ${id}`,
    description: 'Outpatient visits, anonymised',
    keywords: ['outpatient', 'Hospital'],
    sector: 'medical',
    dataGrade: 'important',
    format: 'text/csv',
    licence: 'https://provider.example/licences/research',
    publisher: PROVIDER,
    dataAddress: { kind: 'file', path: '/srv/data/secret-location.csv' },
    ...extra,
  };
}

/** Access: members holding a medical sector credential. */
export const MEDICAL_MEMBERS = {
  '@context': 'http://www.w3.org/ns/odrl.jsonld',
  '@type': 'Set',
  uid: 'urn:test:access:medical-members',
  permission: [
    {
      action: 'read',
      constraint: [
        { leftOperand: 'shuyu:credentialType', operator: 'hasPart', rightOperand: 'MembershipCredential' },
        { leftOperand: 'shuyu:sector', operator: 'isA', rightOperand: 'medical' },
      ],
    },
  ],
};

/** Access: any member, for datasets graded general at most (reads the dataset's grade). */
export const GENERAL_DATA_FOR_MEMBERS = {
  uid: 'urn:test:access:general-data',
  permission: [
    {
      action: 'read',
      constraint: [
        { leftOperand: 'shuyu:credentialType', operator: 'hasPart', rightOperand: 'MembershipCredential' },
        { leftOperand: 'shuyu:dataGrade', operator: 'lteq', rightOperand: 'general' },
      ],
    },
  ],
};

/** Access: members only. */
export const MEMBERS = {
  uid: 'urn:test:access:members',
  permission: [
    {
      action: 'read',
      constraint: [
        { leftOperand: 'shuyu:credentialType', operator: 'hasPart', rightOperand: 'MembershipCredential' },
      ],
    },
  ],
};

export function offer(id: string, extra: JsonObject = {}): JsonObject {
  return {
    id,
    assetSelector: { sector: 'medical' },
    accessPolicy: MEDICAL_MEMBERS,
    contractPolicy: template('medical'),
    ...extra,
  };
}

export const HOSPITAL: Caller = {
  participantId: 'did:web:hospital.example',
  claims: {
    participantId: 'did:web:hospital.example',
    credentialTypes: ['MembershipCredential', 'SectorCredential'],
    sectors: ['medical'],
    sectorRoles: ['hospital'],
    dataGradeClearance: 'important',
  },
};

/** A member of the energy data space: no medical sector credential. */
export const GRID_OPERATOR: Caller = {
  participantId: 'did:web:grid.example',
  claims: {
    participantId: 'did:web:grid.example',
    credentialTypes: ['MembershipCredential', 'SectorCredential'],
    sectors: ['energy'],
    sectorRoles: ['grid-operator'],
    dataGradeClearance: 'general',
  },
};

/** Not a member at all. */
export const STRANGER: Caller = {
  participantId: 'did:web:stranger.example',
  claims: { participantId: 'did:web:stranger.example', credentialTypes: [] },
};

/** Runs `fn`, expects it to reject with a `type` error and returns that error. */
export async function rejection<T extends Error>(
  fn: () => Promise<unknown>,
  type: new (...args: never[]) => T,
): Promise<T> {
  try {
    await fn();
  } catch (e) {
    expect(e).to.be.instanceOf(type);
    return e as T;
  }
  expect.fail(`expected a ${type.name}, but the call succeeded`);
}
