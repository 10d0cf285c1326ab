import { expect } from 'chai';
import {
  NEGOTIATION_MIGRATIONS,
  NegotiationStore,
  received,
  sent,
  type NegotiationRecord,
  type NewNegotiation,
} from '../../connector/negotiation/index.js';
import { OUTBOX_MIGRATIONS, enqueue, listOutbox } from '../../connector/outbox/index.js';
import type { Store } from '../../connector/store/database.js';
import { cleanUp, openDatabase, rejectsWithCode, tally, tempDatabase } from './helpers.js';

const MIGRATIONS = [...NEGOTIATION_MIGRATIONS, ...OUTBOX_MIGRATIONS];
const CONSUMER_DID = 'did:web:consumer.example';
const PROVIDER_DID = 'did:web:provider.example';
const OFFER = {
  '@type': 'Offer',
  '@id': 'urn:uuid:offer-1',
  target: 'urn:uuid:dataset-1',
  permission: [
    { action: 'use', constraint: [{ leftOperand: 'purpose', operator: 'eq', rightOperand: '教育' }] },
  ],
};
const AGREEMENT = { '@type': 'Agreement', '@id': 'urn:uuid:agreement-1', target: 'urn:uuid:dataset-1' };

/** A provider's record of a consumer's initial ContractRequestMessage. */
function incomingRequest(overrides: Partial<NewNegotiation> = {}): NewNegotiation {
  return {
    role: 'provider',
    consumerPid: 'urn:uuid:consumer-pid-1',
    counterPartyId: CONSUMER_DID,
    counterPartyAddress: 'https://consumer.example/callback',
    datasetId: 'urn:uuid:dataset-1',
    offer: OFFER,
    ...overrides,
  };
}

describe('negotiation/store', () => {
  let db: Store;
  let file: string;
  let store: NegotiationStore;

  beforeEach(async () => {
    ({ db, file } = await tempDatabase(MIGRATIONS));
    store = new NegotiationStore(db);
  });
  afterEach(cleanUp);

  it('creates a record in the state its first message leads to, and reads it back after reopening the file', async () => {
    const created = await store.create(
      incomingRequest({ pendingAction: true }),
      received('ContractRequestMessage'),
    );
    expect(created).to.include({
      role: 'provider',
      providerPid: created.id,
      consumerPid: 'urn:uuid:consumer-pid-1',
      counterPartyId: CONSUMER_DID,
      state: 'REQUESTED',
      datasetId: 'urn:uuid:dataset-1',
      agreement: null,
      agreementId: null,
      reason: null,
      pendingAction: true,
      version: 1,
    });
    expect(created.id).to.match(/^urn:uuid:[0-9a-f-]{36}$/);
    expect(created.offer).to.deep.equal(OFFER);
    expect(created.createdAt).to.equal(created.updatedAt);

    await db.close();
    const reopened = new NegotiationStore(await openDatabase(file, MIGRATIONS));
    expect(await reopened.get(created.id)).to.deep.equal(created);
  });

  it('stores the agreement with the transition that makes it AGREED, and finds the negotiation by agreement id', async () => {
    const n = await store.create(incomingRequest(), received('ContractRequestMessage'));
    const agreed = await store.transition(n.id, sent('ContractAgreementMessage'), {
      changes: { agreement: AGREEMENT, agreementId: 'urn:uuid:agreement-1', pendingAction: false },
    });
    expect(agreed).to.include({ state: 'AGREED', agreementId: 'urn:uuid:agreement-1', version: 2 });
    expect(agreed.agreement).to.deep.equal(AGREEMENT);
    expect(await store.findByAgreementId('provider', 'urn:uuid:agreement-1')).to.deep.equal(agreed);
    expect(await store.findByAgreementId('consumer', 'urn:uuid:agreement-1')).to.equal(undefined);
  });

  it('runs a whole negotiation on both sides in one file (a connector talking to itself)', async () => {
    const consumer = await store.create(
      {
        role: 'consumer',
        counterPartyId: PROVIDER_DID,
        counterPartyAddress: 'https://provider.example/dsp',
        offer: OFFER,
      },
      sent('ContractRequestMessage'),
    );
    const provider = await store.create(
      incomingRequest({ consumerPid: consumer.id }),
      received('ContractRequestMessage'),
    );
    // The consumer learns the providerPid from the ACK.
    await store.update(consumer.id, { providerPid: provider.id });

    const steps = [
      ['ContractOfferMessage', 'provider', 'OFFERED'],
      ['ContractNegotiationEventMessage:ACCEPTED', 'consumer', 'ACCEPTED'],
      ['ContractAgreementMessage', 'provider', 'AGREED'],
      ['ContractAgreementVerificationMessage', 'consumer', 'VERIFIED'],
      ['ContractNegotiationEventMessage:FINALIZED', 'provider', 'FINALIZED'],
    ] as const;
    for (const [message, sender, state] of steps) {
      const [from, to] = sender === 'provider' ? [provider, consumer] : [consumer, provider];
      expect((await store.transition(from.id, sent(message))).state).to.equal(state);
      expect((await store.transition(to.id, received(message))).state).to.equal(state);
    }

    const finalConsumer = await store.findByProviderPid('consumer', provider.id);
    const finalProvider = await store.findByConsumerPid('provider', consumer.id);
    expect(finalConsumer).to.include({ id: consumer.id, state: 'FINALIZED', version: 7 });
    expect(finalProvider).to.include({ id: provider.id, state: 'FINALIZED', version: 6 });
    expect(await store.findByProviderPid('provider', provider.id)).to.deep.equal(finalProvider);
    expect(await store.findByConsumerPid('consumer', consumer.id)).to.deep.equal(finalConsumer);

    const refused = await rejectsWithCode(
      store.transition(provider.id, received('ContractNegotiationTerminationMessage')),
      'ERR_INVALID_TRANSITION',
    );
    expect(refused.message).to.equal(
      'a ContractNegotiationTerminationMessage cannot be accepted in state FINALIZED by the provider: FINALIZED is a terminal state',
    );
  });

  it('refuses an invalid transition with the reason and writes nothing', async () => {
    const n = await store.create(incomingRequest(), received('ContractRequestMessage'));
    const error = await rejectsWithCode(
      store.transition(n.id, received('ContractAgreementVerificationMessage'), { changes: { reason: 'x' } }),
      'ERR_INVALID_TRANSITION',
    );
    expect(error.message).to.match(
      /^a ContractAgreementVerificationMessage cannot be accepted in state REQUESTED by the provider: /,
    );
    expect((error as Error & { state?: string }).state).to.equal('REQUESTED');
    expect(await store.get(n.id)).to.deep.equal(n);
  });

  it('refuses to create a negotiation with a message that does not start one', async () => {
    await rejectsWithCode(
      store.create(incomingRequest(), received('ContractOfferMessage')),
      'ERR_INVALID_TRANSITION',
    );
    await rejectsWithCode(
      store.create(incomingRequest(), sent('ContractRequestMessage')),
      'ERR_INVALID_TRANSITION',
    );
    expect(await store.list()).to.deep.equal([]);
  });

  it('reports unknown ids, reused pids and a changed own pid with typed errors', async () => {
    await rejectsWithCode(store.transition('urn:uuid:nope', sent('ContractOfferMessage')), 'ERR_NOT_FOUND');
    await rejectsWithCode(store.update('urn:uuid:nope', { reason: 'x' }), 'ERR_NOT_FOUND');
    const n = await store.create(incomingRequest(), received('ContractRequestMessage'));
    await rejectsWithCode(
      store.create(incomingRequest(), received('ContractRequestMessage')),
      'ERR_DUPLICATE_PID',
    );
    await rejectsWithCode(
      store.create(
        incomingRequest({ id: n.id, consumerPid: 'urn:uuid:other' }),
        received('ContractRequestMessage'),
      ),
      'ERR_DUPLICATE_PID',
    );
    await rejectsWithCode(store.update(n.id, { providerPid: 'urn:uuid:other' }), 'ERR_INVALID_INPUT');
    await rejectsWithCode(
      store.create(incomingRequest({ providerPid: 'urn:uuid:other' }), received('ContractRequestMessage')),
      'ERR_INVALID_INPUT',
    );
    const sneaky = { state: 'FINALIZED' } as unknown as Parameters<NegotiationStore['update']>[1];
    await rejectsWithCode(store.update(n.id, sneaky), 'ERR_INVALID_INPUT');
    expect((await store.get(n.id))?.state).to.equal('REQUESTED');
  });

  it('lists with filters, newest first, in pages', async () => {
    const made: NegotiationRecord[] = [];
    for (let i = 0; i < 5; i++) {
      made.push(
        await store.create(
          incomingRequest({
            consumerPid: `urn:uuid:c-${i}`,
            counterPartyId: i % 2 === 0 ? CONSUMER_DID : 'did:web:other.example',
            pendingAction: i === 3,
          }),
          received('ContractRequestMessage'),
        ),
      );
    }
    await store.transition(made[1]!.id, sent('ContractNegotiationTerminationMessage'));
    const ids = (records: NegotiationRecord[]): string[] => records.map((r) => r.id);

    expect(ids(await store.list())).to.deep.equal(ids([...made].reverse()));
    expect(ids(await store.list({ counterPartyId: CONSUMER_DID }))).to.deep.equal(
      ids([made[4]!, made[2]!, made[0]!]),
    );
    expect(ids(await store.list({ state: 'TERMINATED' }))).to.deep.equal([made[1]!.id]);
    expect(await store.list({ state: ['OFFERED', 'AGREED'] })).to.deep.equal([]);
    expect(await store.list({ state: [] })).to.deep.equal([]);
    expect(ids(await store.list({ pendingAction: true }))).to.deep.equal([made[3]!.id]);
    expect(await store.list({ role: 'consumer' })).to.deep.equal([]);
    expect(ids(await store.list({ limit: 2, offset: 1 }))).to.deep.equal([made[3]!.id, made[2]!.id]);
    await rejectsWithCode(store.list({ limit: 0 }), 'ERR_INVALID_INPUT');
    await rejectsWithCode(store.list({ limit: 501 }), 'ERR_INVALID_INPUT');
  });

  describe('concurrency', () => {
    it('lets exactly one of two writers holding the same version win', async () => {
      const n = await store.create(incomingRequest(), received('ContractRequestMessage'));
      const results = await Promise.allSettled([
        store.transition(n.id, sent('ContractOfferMessage'), { expectedVersion: n.version }),
        store.transition(n.id, sent('ContractNegotiationTerminationMessage'), { expectedVersion: n.version }),
      ]);
      expect(tally(results)).to.deep.equal({ won: 1, codes: ['ERR_VERSION_CONFLICT'] });
      expect((await store.get(n.id))?.version).to.equal(2);
    });

    it('lets exactly one of many conflicting transitions through two connections to the same file win', async () => {
      const n = await store.create(incomingRequest(), received('ContractRequestMessage'));
      const other = new NegotiationStore(await openDatabase(file, MIGRATIONS)); // as a second process would
      const attempts = Array.from({ length: 10 }, (_, i) =>
        (i % 2 === 0 ? store : other).transition(
          n.id,
          i % 3 === 0 ? sent('ContractOfferMessage') : sent('ContractAgreementMessage'),
        ),
      );
      const { won, codes } = tally(await Promise.allSettled(attempts));
      expect(won).to.equal(1);
      expect(codes).to.deep.equal(Array(9).fill('ERR_INVALID_TRANSITION'));
      const final = await store.get(n.id);
      expect(final?.version).to.equal(2);
      expect(final?.state).to.be.oneOf(['OFFERED', 'AGREED']);
    });

    it('changes the state and enqueues the message in one transaction, or neither', async () => {
      const n = await store.create(incomingRequest(), received('ContractRequestMessage'));
      const message = {
        aggregateId: n.id,
        url: 'https://consumer.example/callback/negotiations/x/agreement',
        method: 'POST' as const,
        body: { '@type': 'ContractAgreementMessage' },
      };
      await db
        .transaction(async (tx) => {
          await store.transition(n.id, sent('ContractAgreementMessage'), { tx });
          await enqueue(tx, message);
          throw new Error('the agreement could not be signed');
        })
        .catch(() => undefined);
      expect((await store.get(n.id))?.state).to.equal('REQUESTED');
      expect(await listOutbox(db)).to.deep.equal([]);

      await db.transaction(async (tx) => {
        await store.transition(n.id, sent('ContractAgreementMessage'), { tx });
        await enqueue(tx, message);
      });
      expect((await store.get(n.id))?.state).to.equal('AGREED');
      expect((await listOutbox(db)).map((e) => e.aggregateId)).to.deep.equal([n.id]);
    });
  });
});
