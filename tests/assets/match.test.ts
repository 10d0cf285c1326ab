import { expect } from 'chai';
import jsonld from 'jsonld';
import {
  dspOfferId,
  matchRequestedOffer,
  type DspOffer,
  type OfferMatch,
  type OfferRefusal,
} from '../../connector/assets/index.js';
import { createDocumentLoader } from '../../policies/index.js';
import {
  asset,
  GRID_OPERATOR,
  HOSPITAL,
  MEMBERS,
  NOW,
  offer,
  openRegistry,
  PROVIDER,
  STRANGER,
  template,
  type JsonObject,
  type Registry,
} from './helpers.js';

const OFFER_ID = dspOfferId('research', 'urn:ds:visits');

/** Prefixes every ODRL key with odrl: (keeping @-keys), as some consumers write policies. */
function odrlPrefixed(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(odrlPrefixed);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k.startsWith('@') || k.includes(':') ? k : `odrl:${k}`,
      k === 'rightOperand' ? v : odrlPrefixed(v),
    ]),
  );
}

function refused(result: OfferMatch | OfferRefusal): OfferRefusal {
  expect(result.ok, JSON.stringify(result)).to.equal(false);
  return result as OfferRefusal;
}

function matched(result: OfferMatch | OfferRefusal): OfferMatch {
  expect(result.ok, JSON.stringify(result)).to.equal(true);
  return result as OfferMatch;
}

describe('assets: contract requests against the catalog', () => {
  let r: Registry;
  /** The offer exactly as the hospital saw it in the catalog. */
  let seen: DspOffer;
  /** What a consumer sends in a ContractRequestMessage: the catalog offer plus its target. */
  let requested: JsonObject;

  beforeEach(async () => {
    r = await openRegistry();
    await r.store.createAsset(asset('urn:ds:visits'));
    await r.store.createAsset(asset('urn:ds:other'));
    await r.store.createAsset(asset('urn:ds:energy', { sector: 'energy' }));
    await r.store.createOffer(offer('research'));
    const dataset = await r.catalog.datasetFor(HOSPITAL, 'urn:ds:visits');
    seen = dataset?.hasPolicy[0] as DspOffer;
    requested = { ...structuredClone(seen), target: 'urn:ds:visits' };
  });
  afterEach(() => r.close());

  it('finds an offer by its catalog id with its asset and compiled contract policy', async () => {
    const found = await r.catalog.offerById(OFFER_ID);
    expect(found?.offer.id).to.equal('research');
    expect(found?.asset.id).to.equal('urn:ds:visits');
    expect(found?.dspOffer).to.deep.equal(seen);
    const decision = found?.contractPolicy.evaluate({
      action: 'use',
      target: 'urn:ds:visits',
      time: NOW,
      purpose: 'clinical-research',
      spatial: 'CN-BJ',
      elapsedTime: 'P1D',
      claims: HOSPITAL.claims,
    });
    expect(decision?.decision, decision?.detail).to.equal('permit');
    expect(await r.catalog.offerById('urn:shuyu:offer:research:urn:ds:energy')).to.equal(undefined); // not selected
    expect(await r.catalog.offerById('urn:shuyu:offer:nope:urn:ds:visits')).to.equal(undefined);
    expect(await r.catalog.offerById('urn:uuid:1')).to.equal(undefined);
  });

  it('accepts the offer as the catalog showed it, with its target', async () => {
    const m = matched(
      await matchRequestedOffer(r.catalog, HOSPITAL, { datasetId: 'urn:ds:visits', offer: requested }),
    );
    expect(m.id).to.equal(OFFER_ID);
    expect(m.offer.approval).to.equal('automatic');
    expect(m.asset.id).to.equal('urn:ds:visits');
    // Also without a target, with the assigner left out, and with the caller as assignee.
    const { target: _t, assigner: _a, ...bare } = requested;
    matched(await matchRequestedOffer(r.catalog, HOSPITAL, { datasetId: 'urn:ds:visits', offer: bare }));
    matched(
      await matchRequestedOffer(r.catalog, HOSPITAL, {
        datasetId: 'urn:ds:visits',
        offer: { ...requested, assignee: HOSPITAL.participantId },
      }),
    );
  });

  it('treats an empty list as no list ("constraint": [], as the DSP TCK sends it)', async () => {
    const permissions = (requested.permission as Record<string, unknown>[]).map((p) => ({
      ...p,
      duty: (p.duty as unknown[] | undefined) ?? [],
    }));
    matched(
      await matchRequestedOffer(r.catalog, HOSPITAL, {
        datasetId: 'urn:ds:visits',
        offer: { ...requested, permission: permissions, obligation: [] },
      }),
    );
  });

  it('accepts the same policy in other JSON-LD forms: odrl: prefixes, expanded, reordered', async () => {
    const prefixed = odrlPrefixed(requested);
    expect(JSON.stringify(prefixed)).to.include('"odrl:permission"');
    matched(await matchRequestedOffer(r.catalog, HOSPITAL, { datasetId: 'urn:ds:visits', offer: prefixed }));

    const expanded = await jsonld.expand(
      { '@context': 'http://www.w3.org/ns/odrl.jsonld', ...requested } as jsonld.JsonLdDocument,
      { documentLoader: createDocumentLoader() } as unknown as jsonld.Options.Expand,
    );
    expect(JSON.stringify(expanded)).to.include('http://www.w3.org/ns/odrl/2/permission');
    matched(await matchRequestedOffer(r.catalog, HOSPITAL, { datasetId: 'urn:ds:visits', offer: expanded }));

    const reordered = structuredClone(requested) as { permission: { constraint: unknown[] }[] };
    reordered.permission[0]?.constraint.reverse();
    matched(await matchRequestedOffer(r.catalog, HOSPITAL, { datasetId: 'urn:ds:visits', offer: reordered }));

    // The stored template itself (W3C ODRL context, its own metadata) carries the same terms.
    matched(
      await matchRequestedOffer(r.catalog, HOSPITAL, {
        datasetId: 'urn:ds:visits',
        offerId: OFFER_ID,
        offer: { ...template('medical'), uid: OFFER_ID, target: 'urn:ds:visits' },
      }),
    );
  });

  it('refuses a tampered policy and says where it differs', async () => {
    const weaker = structuredClone(requested) as {
      permission: { constraint: { rightOperand: unknown }[] }[];
    };
    const constraints = weaker.permission[0]?.constraint ?? [];
    const clearance = constraints.find((c) => JSON.stringify(c).includes('dataGradeClearance'));
    expect(clearance, 'the template gates on clearance').to.not.equal(undefined);
    if (clearance) clearance.rightOperand = 'general';
    const m1 = refused(
      await matchRequestedOffer(r.catalog, HOSPITAL, { datasetId: 'urn:ds:visits', offer: weaker }),
    );
    expect(m1.reason).to.equal('POLICY_MISMATCH');
    expect(m1.message).to.include('permission');

    const { prohibition: _p, ...noProhibition } = requested;
    const m2 = refused(
      await matchRequestedOffer(r.catalog, HOSPITAL, { datasetId: 'urn:ds:visits', offer: noProhibition }),
    );
    expect(m2.reason).to.equal('POLICY_MISMATCH');
    expect(m2.message).to.include('prohibition');

    const otherAssigner = { ...requested, assigner: 'did:web:someone-else.example' };
    expect(
      refused(
        await matchRequestedOffer(r.catalog, HOSPITAL, { datasetId: 'urn:ds:visits', offer: otherAssigner }),
      ).reason,
    ).to.equal('POLICY_MISMATCH');
    const otherAssignee = { ...requested, assignee: 'did:web:someone-else.example' };
    expect(
      refused(
        await matchRequestedOffer(r.catalog, HOSPITAL, { datasetId: 'urn:ds:visits', offer: otherAssignee }),
      ).reason,
    ).to.equal('POLICY_MISMATCH');
    const otherId = refused(
      await matchRequestedOffer(r.catalog, HOSPITAL, {
        datasetId: 'urn:ds:visits',
        offerId: 'urn:x',
        offer: requested,
      }),
    );
    expect(otherId.reason).to.equal('POLICY_MISMATCH');
  });

  it('refuses another dataset, in the request or in the target', async () => {
    const m1 = refused(
      await matchRequestedOffer(r.catalog, HOSPITAL, { datasetId: 'urn:ds:other', offer: requested }),
    );
    expect(m1.reason).to.equal('DATASET_MISMATCH');
    const m2 = refused(
      await matchRequestedOffer(r.catalog, HOSPITAL, {
        datasetId: 'urn:ds:visits',
        offer: { ...requested, target: 'urn:ds:other' },
      }),
    );
    expect(m2.reason).to.equal('DATASET_MISMATCH');
    // An offer id composed with a dataset the offer does not select does not exist.
    const m3 = refused(
      await matchRequestedOffer(r.catalog, HOSPITAL, {
        datasetId: 'urn:ds:energy',
        offer: { ...requested, '@id': dspOfferId('research', 'urn:ds:energy'), target: 'urn:ds:energy' },
      }),
    );
    expect(m3.reason).to.equal('OFFER_NOT_FOUND');
  });

  it('answers a caller who may not see the offer exactly as for an unknown offer', async () => {
    for (const caller of [GRID_OPERATOR, STRANGER]) {
      const hidden = refused(
        await matchRequestedOffer(r.catalog, caller, { datasetId: 'urn:ds:visits', offer: requested }),
      );
      expect(hidden.reason).to.equal('OFFER_NOT_FOUND');
      const unknownId = dspOfferId('nope', 'urn:ds:visits');
      const unknown = refused(
        await matchRequestedOffer(r.catalog, caller, {
          datasetId: 'urn:ds:visits',
          offer: { ...requested, '@id': unknownId },
        }),
      );
      expect(unknown.message.replace(unknownId, OFFER_ID)).to.equal(hidden.message);
    }
  });

  it('refuses a policy that does not compile, with the engine problems', async () => {
    const broken = {
      ...requested,
      permission: [
        { action: 'use', constraint: [{ leftOperand: 'colour', operator: 'eq', rightOperand: 'red' }] },
      ],
    };
    const m = refused(
      await matchRequestedOffer(r.catalog, HOSPITAL, { datasetId: 'urn:ds:visits', offer: broken }),
    );
    expect(m.reason).to.equal('POLICY_INVALID');
    expect(m.problems?.map((p) => p.pointer)).to.deep.equal(['/permission/0/constraint/0/leftOperand']);
  });

  it('follows the registry: a replaced offer refuses the old terms', async () => {
    await r.store.replaceOffer(
      'research',
      offer('research', { accessPolicy: MEMBERS, contractPolicy: template('education') }),
    );
    const m = refused(
      await matchRequestedOffer(r.catalog, HOSPITAL, { datasetId: 'urn:ds:visits', offer: requested }),
    );
    expect(m.reason).to.equal('POLICY_MISMATCH');
    const fresh = (await r.catalog.datasetFor(GRID_OPERATOR, 'urn:ds:visits'))?.hasPolicy[0];
    matched(
      await matchRequestedOffer(r.catalog, GRID_OPERATOR, {
        datasetId: 'urn:ds:visits',
        offer: { ...fresh, target: 'urn:ds:visits' },
      }),
    );
    expect(seen.assigner).to.equal(PROVIDER);
  });
});
