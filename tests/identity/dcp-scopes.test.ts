// DCP scopes derived from the policy at hand: the verifier asks a caller's Credential Service only for the
// credential types the request's policy reads (membership always), caches per caller and scope set (a
// wider query answers a narrower question), and shares one query among concurrent first requests.
// Real authority and connectors on 127.0.0.1; the queries are observed on their way to the Credential
// Service (a recording fetch in front of the real HTTP call).
import { expect } from 'chai';
import { compilePolicy } from '../../policies/index.js';
import { scopeForType, type FetchLike } from '../../connector/identity/index.js';
import { ALL_SCOPES, scopesForPolicies } from '../../connector/identity/dcp/policy-scopes.js';
import type { ControlPlaneConnector } from '../../connector/process/run-connector.js';
import { hospitalApplication, startLocalDataSpace, type LocalDataSpace } from '../authority/helpers.js';
import {
  assetInput,
  catalogOfferId,
  dsp,
  management,
  MEDICAL_ACCESS,
  MEMBERS_ACCESS,
  medicalContract,
  pid,
  publish,
  startMember,
  startNegotiation,
  waitForState,
} from '../dsp/helpers.js';

const MEMBERSHIP = scopeForType('MembershipCredential');
const SECTOR = scopeForType('SectorCredential');
const CLEARANCE = scopeForType('DataGradeClearance');
const MEMBERS_DATASET = 'urn:dataset:scopes-members';
const MEDICAL_DATASET = 'urn:dataset:scopes-medical';

/** Use by any member: reads only the membership. */
const MEMBERS_CONTRACT = {
  '@type': 'Offer',
  uid: 'urn:test:contract:members',
  profile: 'https://w3id.org/shuyu/v1',
  permission: [
    {
      action: 'use',
      constraint: [
        { leftOperand: 'shuyu:credentialType', operator: 'hasPart', rightOperand: 'MembershipCredential' },
      ],
    },
  ],
};

async function modelOf(policy: unknown) {
  return (await compilePolicy(policy)).policy.policy;
}

describe('identity/dcp: scopes from the policy at hand', function () {
  this.timeout(60_000);
  let space: LocalDataSpace;
  let provider: ControlPlaneConnector;
  let consumer: ControlPlaneConnector;
  /** The scope list of every PresentationQueryMessage the provider sent. */
  const queries: string[][] = [];

  before(async () => {
    space = await startLocalDataSpace();
    const recording: FetchLike = async (url, init) => {
      if (init.method === 'POST' && url.endsWith('/presentations/query') && init.body !== undefined) {
        queries.push((JSON.parse(init.body) as { scope: string[] }).scope);
      }
      return fetch(url, init) as ReturnType<FetchLike>;
    };
    provider = await startMember(space, 'provider', hospitalApplication({ organisationName: 'Provider' }), {
      fetch: recording,
    });
    consumer = await startMember(space, 'consumer', hospitalApplication());
    await publish(
      provider,
      [assetInput(MEMBERS_DATASET, provider.did)],
      [
        {
          id: 'members',
          assetSelector: { assetIds: [MEMBERS_DATASET] },
          accessPolicy: MEMBERS_ACCESS,
          contractPolicy: MEMBERS_CONTRACT,
        },
      ],
    );
  });
  after(async () => space?.close());

  const catalogRequest = () =>
    dsp(provider, '/catalog/request', {
      caller: consumer,
      body: {
        '@context': ['https://w3id.org/dspace/2025/1/context.jsonld'],
        '@type': 'CatalogRequestMessage',
      },
    });

  it('derives credential types from the left operands a policy reads, membership always', async () => {
    expect(scopesForPolicies([await modelOf(MEMBERS_ACCESS)])).to.deep.equal([MEMBERSHIP]);
    expect(scopesForPolicies([await modelOf(MEDICAL_ACCESS)])).to.deep.equal([MEMBERSHIP, SECTOR]);
    expect(scopesForPolicies([await modelOf(medicalContract())])).to.deep.equal([MEMBERSHIP, SECTOR]);
    const clearance = {
      uid: 'urn:test:access:clearance',
      permission: [
        {
          action: 'read',
          constraint: [
            {
              or: [
                { leftOperand: 'shuyu:dataGradeClearance', operator: 'gteq', rightOperand: 'important' },
                {
                  leftOperand: 'shuyu:credentialType',
                  operator: 'hasPart',
                  rightOperand: 'SectorCredential',
                },
              ],
            },
          ],
        },
      ],
    };
    expect(scopesForPolicies([await modelOf(clearance)])).to.deep.equal([MEMBERSHIP, SECTOR, CLEARANCE]);
    expect(scopesForPolicies([])).to.deep.equal([MEMBERSHIP]);
    // Not analysable (not compiled): every type.
    expect(scopesForPolicies([undefined])).to.deep.equal(ALL_SCOPES);
  });

  it('queries only the membership scope for a membership-only catalog, and negotiates and transfers', async () => {
    provider.claimsCache.evict(consumer.did);
    queries.length = 0;
    const catalog = await catalogRequest();
    expect(catalog.status, JSON.stringify(catalog.body)).to.equal(200);
    expect(queries).to.deep.equal([[MEMBERSHIP]]);

    const started = await startNegotiation(
      consumer,
      provider,
      MEMBERS_DATASET,
      catalogOfferId('members', MEMBERS_DATASET),
    );
    expect(started.status, JSON.stringify(started.body)).to.equal(201);
    const done = await waitForState(consumer, `/negotiations/${pid(String(started.body.id))}`, 'FINALIZED');
    const transfer = await management(consumer).post('/transfers', {
      agreementId: String(done.agreementId),
      format: 'HttpData-PULL',
    });
    expect(transfer.status, JSON.stringify(transfer.body)).to.equal(201);
    await waitForState(consumer, `/transfers/${pid(String(transfer.body.id))}`, 'STARTED');
    // Every step read membership only: the first query's claims served them all.
    expect(queries).to.deep.equal([[MEMBERSHIP]]);
  });

  it('adds the sector scope once an offer’s policy reads the sector, and still negotiates', async () => {
    await publish(
      provider,
      [assetInput(MEDICAL_DATASET, provider.did)],
      [
        {
          id: 'medical',
          assetSelector: { assetIds: [MEDICAL_DATASET] },
          accessPolicy: MEDICAL_ACCESS,
          contractPolicy: medicalContract(),
        },
      ],
    );
    queries.length = 0;
    const catalog = await catalogRequest();
    expect(catalog.status, JSON.stringify(catalog.body)).to.equal(200);
    // The cached membership-only claims cannot answer a sector question: one query for both.
    expect(queries).to.deep.equal([[MEMBERSHIP, SECTOR]]);
    expect(JSON.stringify(catalog.body)).to.include(MEDICAL_DATASET);

    const started = await startNegotiation(
      consumer,
      provider,
      MEDICAL_DATASET,
      catalogOfferId('medical', MEDICAL_DATASET),
    );
    expect(started.status, JSON.stringify(started.body)).to.equal(201);
    await waitForState(consumer, `/negotiations/${pid(String(started.body.id))}`, 'FINALIZED');
    // The wider entry served the contract request and the membership-only messages that followed.
    expect(queries).to.have.length(1);
  });

  it('shares one Credential Service query among concurrent first requests of a caller', async () => {
    provider.claimsCache.evict(consumer.did);
    queries.length = 0;
    const answers = await Promise.all(Array.from({ length: 8 }, () => catalogRequest()));
    expect(answers.map((a) => a.status)).to.deep.equal(Array(8).fill(200));
    expect(queries).to.have.length(1);
  });
});
