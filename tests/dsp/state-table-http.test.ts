// Every allowed and forbidden transition over real HTTP: for each role, each state and each message a
// peer can send on an existing process, a real connector receives the message from its counterparty
// (a real request token, a real DSP endpoint) and either applies it, answering 200 with the state the
// DSP specification's lists (tests/negotiation/spec-transitions.ts) give, or refuses it with 400, the
// DSP error body (code invalid-transition) and the record unchanged. Each case gets a fresh record,
// brought to its state through the state table's own path (in the store, so no automation and no
// operator is involved); the counterparty's callbacks go to a test peer that acknowledges them.
import { expect } from 'chai';
import { NO_RATE_LIMITS } from '../../connector/http/rate-limit/index.js';
import { randomUUID } from 'node:crypto';
import {
  negotiationTable,
  received,
  sent,
  type Role,
  type StateTable,
} from '../../connector/negotiation/index.js';
import { transferTable } from '../../connector/transfer/index.js';
import type { ControlPlaneConnector } from '../../connector/process/run-connector.js';
import { hospitalApplication, startLocalDataSpace, type LocalDataSpace } from '../authority/helpers.js';
import { expandSpec } from '../negotiation/cartesian.js';
import { NEGOTIATION_SPEC, TRANSFER_SPEC } from '../negotiation/spec-transitions.js';
import {
  assetInput,
  catalogOfferId,
  dsp,
  medicalContract,
  MEMBERS_ACCESS,
  pid,
  publish,
  startMember,
  startNegotiation,
  waitForState,
} from './helpers.js';
import { Peer } from './peer.js';

const DSP = ['https://w3id.org/dspace/2025/1/context.jsonld'];
const DATASET = 'urn:dataset:state-table';
const ROLES: readonly Role[] = ['provider', 'consumer'];

/** The endpoint (below /:pid) and body fields of each message on an existing process. */
const NEGOTIATION_ENDPOINTS: Record<string, { path: string; fields: () => Record<string, unknown> }> = {
  ContractRequestMessage: { path: 'request', fields: () => ({ offer: offer() }) },
  ContractOfferMessage: { path: 'offers', fields: () => ({ offer: offer() }) },
  'ContractNegotiationEventMessage:ACCEPTED': { path: 'events', fields: () => ({ eventType: 'ACCEPTED' }) },
  ContractAgreementMessage: { path: 'agreement', fields: () => ({ agreement: agreement() }) },
  ContractAgreementVerificationMessage: { path: 'agreement/verification', fields: () => ({}) },
  'ContractNegotiationEventMessage:FINALIZED': { path: 'events', fields: () => ({ eventType: 'FINALIZED' }) },
  ContractNegotiationTerminationMessage: { path: 'termination', fields: () => ({ code: 'test' }) },
};
/** TransferRequestMessage only creates a process (POST /transfers/request): no endpoint below a pid. */
const TRANSFER_ENDPOINTS: Record<string, { path: string; fields: () => Record<string, unknown> }> = {
  TransferStartMessage: { path: 'start', fields: () => ({}) },
  TransferSuspensionMessage: { path: 'suspension', fields: () => ({ code: 'test' }) },
  TransferCompletionMessage: { path: 'completion', fields: () => ({}) },
  TransferTerminationMessage: { path: 'termination', fields: () => ({ code: 'test' }) },
};

let catalogOffer: Record<string, unknown> = {};
let parties = { provider: '', consumer: '' };
const offer = () => ({ ...catalogOffer, target: DATASET });
const agreement = () => ({
  '@id': `urn:uuid:${randomUUID()}`,
  '@type': 'Agreement',
  target: DATASET,
  assigner: parties.provider,
  assignee: parties.consumer,
  timestamp: new Date().toISOString(),
  permission: [{ action: 'use' }],
});

/** The rules that bring a process of `role` from nothing to `state`, shortest first (breadth first). */
function pathTo<S extends string, M extends string>(
  table: StateTable<S, M>,
  role: Role,
  state: S,
): { message: M; sender: Role }[] {
  const queue: { at: S | undefined; path: { message: M; sender: Role }[] }[] = [{ at: undefined, path: [] }];
  const seen = new Set<string>();
  while (queue.length > 0) {
    const { at, path } = queue.shift()!;
    if (at === state) return path;
    for (const rule of table.spec.rules.filter((r) => r.from === at)) {
      if (seen.has(`${rule.to}`)) continue;
      seen.add(`${rule.to}`);
      queue.push({ at: rule.to, path: [...path, { message: rule.message, sender: rule.sender }] });
    }
  }
  throw new Error(`no path to ${state} for the ${role}`);
}

describe('dsp: every allowed and forbidden transition, over HTTP', function () {
  this.timeout(120_000);
  let space: LocalDataSpace;
  let cut: ControlPlaneConnector; // the connector under test, in both roles
  let peerParty: ControlPlaneConnector; // whose identity the counterparty's messages carry
  let peer: Peer;
  let agreementId: string;

  before(async () => {
    space = await startLocalDataSpace();
    peer = await Peer.start();
    // Hundreds of messages from one caller in seconds: the state table is under test, not the rate limits.
    cut = await startMember(space, 'cut', hospitalApplication({ organisationName: 'Under test' }), {
      rateLimits: NO_RATE_LIMITS,
    });
    peerParty = await startMember(space, 'peer', hospitalApplication());
    await publish(
      cut,
      [assetInput(DATASET, cut.did)],
      [
        {
          id: 'manual',
          assetSelector: { assetIds: [DATASET] },
          accessPolicy: MEMBERS_ACCESS,
          contractPolicy: medicalContract(),
          approval: 'manual',
        },
        {
          id: 'auto',
          assetSelector: { assetIds: [DATASET] },
          accessPolicy: MEMBERS_ACCESS,
          contractPolicy: medicalContract(),
        },
      ],
    );
    const dataset = await dsp(cut, `/catalog/datasets/${pid(DATASET)}`, { caller: peerParty });
    catalogOffer =
      (dataset.body.hasPolicy as Record<string, unknown>[]).find((o) =>
        String(o['@id']).includes(':manual:'),
      ) ?? {};
    // A real FINALIZED agreement, so that a provider's transfer may be resumed by the consumer.
    const started = await startNegotiation(peerParty, cut, DATASET, catalogOfferId('auto', DATASET));
    const done = await waitForState(peerParty, `/negotiations/${pid(String(started.body.id))}`, 'FINALIZED');
    agreementId = String(done.agreementId);
  });
  after(async () => {
    await space?.close();
    await peer?.close();
  });

  /** A fresh negotiation of ours as `role` in `state`, with the peer party as counterparty. */
  async function negotiationIn(role: Role, state: string) {
    const store = cut.controlPlane.negotiations;
    const [first, ...rest] = pathTo(negotiationTable, role, state);
    const other = `urn:uuid:${randomUUID()}`;
    let record = await store.create(
      {
        role,
        ...(role === 'provider' ? { consumerPid: other } : { providerPid: other }),
        counterPartyId: peerParty.did,
        counterPartyAddress: peer.url,
        datasetId: DATASET,
        offer: offer(),
        pendingAction: true,
      },
      first!.sender === role ? sent(first!.message) : received(first!.message),
    );
    for (const step of rest) {
      const event = step.sender === role ? sent(step.message) : received(step.message);
      const changes =
        step.message === 'ContractAgreementMessage'
          ? { agreement: agreement(), agreementId: `urn:uuid:${randomUUID()}` }
          : {};
      record = await store.transition(record.id, event, { changes });
    }
    return record;
  }

  async function transferIn(role: Role, state: string) {
    const store = cut.controlPlane.transfers;
    const [first, ...rest] = pathTo(transferTable, role, state);
    const other = `urn:uuid:${randomUUID()}`;
    let record = await store.create(
      {
        role,
        ...(role === 'provider' ? { consumerPid: other } : { providerPid: other }),
        agreementId,
        counterPartyId: peerParty.did,
        counterPartyAddress: peer.url,
        format: 'HttpData-PULL',
      },
      first!.sender === role ? sent(first!.message) : received(first!.message),
    );
    for (const step of rest) {
      record = await store.transition(
        record.id,
        step.sender === role ? sent(step.message) : received(step.message),
      );
    }
    return record;
  }

  function expectedFrom(spec: string): Map<string, string> {
    return new Map(
      expandSpec(spec)
        .filter((e) => e.direction === 'received' && e.from !== undefined)
        .map((e) => [`${e.role} ${e.from} ${e.message}`, e.to]),
    );
  }

  for (const [kind, table, spec, endpoints] of [
    ['negotiations', negotiationTable, NEGOTIATION_SPEC, NEGOTIATION_ENDPOINTS],
    ['transfers', transferTable, TRANSFER_SPEC, TRANSFER_ENDPOINTS],
  ] as const) {
    it(`${kind}: every role x state x message is applied as the specification lists it, or refused and changes nothing`, async () => {
      const expected = expectedFrom(spec);
      const outcomes: string[] = [];
      let applied = 0;
      let refused = 0;
      for (const role of ROLES)
        for (const state of table.spec.states as readonly string[])
          for (const [message, endpoint] of Object.entries(endpoints)) {
            const name = `${role} ${state} ${message}`;
            parties =
              role === 'consumer'
                ? { provider: peerParty.did, consumer: cut.did }
                : { provider: cut.did, consumer: peerParty.did };
            const record =
              kind === 'negotiations' ? await negotiationIn(role, state) : await transferIn(role, state);
            const pids = { providerPid: record.providerPid, consumerPid: record.consumerPid };
            const body = {
              '@context': DSP,
              '@type': message.split(':')[0],
              ...pids,
              ...endpoint.fields(),
            };
            const answer = await dsp(cut, `/${kind}/${pid(record.id)}/${endpoint.path}`, {
              body,
              caller: peerParty,
            });
            const after =
              kind === 'negotiations'
                ? await cut.controlPlane.negotiations.get(record.id)
                : await cut.controlPlane.transfers.get(record.id);
            const to = expected.get(name);
            if (to !== undefined) {
              applied += 1;
              expect(answer.status, `${name}: ${JSON.stringify(answer.body)}`).to.equal(200);
              expect(answer.body.state, name).to.equal(to);
              expect(after!.version, name).to.be.greaterThan(record.version);
              outcomes.push(`${name} -> ${to}`);
            } else {
              refused += 1;
              expect(answer.status, `${name}: ${JSON.stringify(answer.body)}`).to.equal(400);
              expect(answer.body, name).to.include({
                '@type': kind === 'negotiations' ? 'ContractNegotiationError' : 'TransferError',
                code: 'invalid-transition',
              });
              expect({ state: after!.state, version: after!.version }, name).to.deep.equal({
                state: record.state,
                version: record.version,
              });
            }
          }
      const cases = ROLES.length * table.spec.states.length * Object.keys(endpoints).length;
      console.log(`      ${kind}: ${cases} cases over HTTP, ${applied} applied, ${refused} refused with 400`);
      expect(applied + refused).to.equal(cases);
      // Every transition the specification lists on an existing process was seen applied, once per receiver.
      expect(applied).to.equal(expected.size);
      expect(outcomes).to.have.length(expected.size);
    });
  }
});
