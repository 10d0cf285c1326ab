// Seeding a connector for a conformance run (test identity mode only): the datasets, offers and
// finalized agreements the DSP TCK is configured with (CN_01_01_DATASETID, TP_01_01_AGREEMENTID, ...),
// from one JSON file loaded at start. Loading again is harmless: assets and offers are written as the
// file says, agreements that exist are left alone. An agreement is stored as a negotiation that went
// through the state table to FINALIZED without any message, which is why this exists only in the
// test mode: in production an agreement is only ever negotiated.
//
//   {
//     "assets":     [<asset as POST /management/v1/assets takes it>, ...],
//     "offers":     [<offer as POST /management/v1/offers takes it>, ...],
//     "agreements": [{"id": "urn:tck:agreement:ATP0101", "role": "provider", "datasetId": "urn:tck:dataset:ACN0101",
//                     "counterPartyId": "TCK_PARTICIPANT", "counterPartyAddress": "http://localhost:8083",
//                     "policy": {"permission": [{"action": "use"}]}}, ...]
//   }

import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { ControlPlane } from '../control-plane/index.js';
import { received, sent, type NegotiationEvent, type Role } from '../negotiation/index.js';
import { ConfigError } from './config.js';

export interface SeedAgreement {
  /** The agreement id (the TCK's TP_..._AGREEMENTID). */
  readonly id: string;
  /** Our side of the agreement. */
  readonly role: Role;
  readonly datasetId: string;
  /** The other party's participant id (the TCK's is TCK_PARTICIPANT). */
  readonly counterPartyId: string;
  /** The other party's DSP address (a consumer requests its transfers there). */
  readonly counterPartyAddress: string;
  /** The agreed rules (ODRL permission/prohibition/obligation); default: use, unconstrained. */
  readonly policy?: Readonly<Record<string, unknown>>;
}

export interface Seed {
  readonly assets?: readonly unknown[];
  readonly offers?: readonly unknown[];
  readonly agreements?: readonly SeedAgreement[];
}

export interface SeedSummary {
  readonly assets: number;
  readonly offers: number;
  /** Agreements stored now (those already there are not counted). */
  readonly agreements: number;
}

/** Reads a seed file (relative paths from the data directory). */
export function readSeed(dataDir: string, file: string): Seed {
  const path = isAbsolute(file) ? file : join(dataDir, file);
  let seed: unknown;
  try {
    seed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ConfigError(`the seed file ${path} cannot be read as JSON: ${(e as Error).message}`);
  }
  if (seed === null || typeof seed !== 'object' || Array.isArray(seed)) {
    throw new ConfigError(`the seed file ${path} must hold an object {assets, offers, agreements}`);
  }
  return seed as Seed;
}

/** Writes the seed's assets and offers (as the management API would) and stores missing agreements. */
export async function loadSeed(plane: ControlPlane, seed: Seed): Promise<SeedSummary> {
  for (const asset of seed.assets ?? []) {
    const id = (asset as { id?: unknown }).id;
    if (typeof id === 'string' && (await plane.assets.getAsset(id)) !== undefined) {
      await plane.assets.replaceAsset(id, asset);
    } else {
      await plane.assets.createAsset(asset);
    }
  }
  for (const offer of seed.offers ?? []) {
    const id = (offer as { id?: unknown }).id;
    if (typeof id === 'string' && (await plane.assets.getOffer(id)) !== undefined) {
      await plane.assets.replaceOffer(id, offer);
    } else {
      await plane.assets.createOffer(offer);
    }
  }
  let agreements = 0;
  for (const agreement of seed.agreements ?? []) {
    checkAgreement(agreement);
    if ((await plane.negotiations.findByAgreementId(agreement.role, agreement.id)) !== undefined) continue;
    await storeAgreement(plane, agreement);
    agreements++;
  }
  return { assets: seed.assets?.length ?? 0, offers: seed.offers?.length ?? 0, agreements };
}

function checkAgreement(a: SeedAgreement): void {
  for (const key of ['id', 'datasetId', 'counterPartyId', 'counterPartyAddress'] as const) {
    if (typeof a?.[key] !== 'string' || a[key] === '') {
      throw new ConfigError(`every seeded agreement needs a non-empty "${key}" (${JSON.stringify(a)})`);
    }
  }
  if (a.role !== 'provider' && a.role !== 'consumer') {
    throw new ConfigError(
      `a seeded agreement's role is "provider" or "consumer", not ${JSON.stringify(a.role)}`,
    );
  }
}

/** The messages that take each role's negotiation to FINALIZED, after the one that created it. */
const PATH: Readonly<Record<Role, readonly [NegotiationEvent, NegotiationEvent[]]>> = {
  provider: [
    received('ContractRequestMessage'),
    [
      sent('ContractAgreementMessage'),
      received('ContractAgreementVerificationMessage'),
      sent('ContractNegotiationEventMessage:FINALIZED'),
    ],
  ],
  consumer: [
    sent('ContractRequestMessage'),
    [
      received('ContractAgreementMessage'),
      sent('ContractAgreementVerificationMessage'),
      received('ContractNegotiationEventMessage:FINALIZED'),
    ],
  ],
};

async function storeAgreement(plane: ControlPlane, a: SeedAgreement): Promise<void> {
  const ours = plane.context.did;
  const rules = a.policy ?? { permission: [{ action: 'use' }] };
  const agreement = {
    ...rules,
    '@id': a.id,
    '@type': 'Agreement',
    target: a.datasetId,
    assigner: a.role === 'provider' ? ours : a.counterPartyId,
    assignee: a.role === 'provider' ? a.counterPartyId : ours,
    timestamp: plane.context.clock().toISOString(),
  };
  const peerPid = `urn:uuid:${randomUUID()}`;
  const [create, steps] = PATH[a.role];
  await plane.context.db.transaction(async (tx) => {
    let record = await plane.negotiations.create(
      {
        role: a.role,
        ...(a.role === 'provider' ? { consumerPid: peerPid } : { providerPid: peerPid }),
        counterPartyId: a.counterPartyId,
        counterPartyAddress: a.counterPartyAddress.replace(/\/+$/, ''),
        datasetId: a.datasetId,
        offer: { ...rules, '@id': `urn:uuid:${randomUUID()}`, '@type': 'Offer', target: a.datasetId },
      },
      create,
      { tx },
    );
    for (const [i, step] of steps.entries()) {
      record = await plane.negotiations.transition(record.id, step, {
        tx,
        current: record,
        changes: i === 0 ? { agreement, agreementId: a.id } : {},
      });
    }
  });
}
