import { expect } from 'chai';
import { received, sent } from '../../connector/negotiation/index.js';
import { TRANSFER_MIGRATIONS, TransferStore, type NewTransfer } from '../../connector/transfer/index.js';
import type { Store } from '../../connector/store/database.js';
import { cleanUp, openDatabase, rejectsWithCode, tally, tempDatabase } from '../negotiation/helpers.js';

const PULL_ADDRESS = {
  '@type': 'DataAddress',
  endpointType: 'https://w3id.org/idsa/v4.1/HTTP',
  endpoint: 'https://provider.example/data/1',
  endpointProperties: [{ '@type': 'EndpointProperty', name: 'authorization', value: 'token' }],
};

function incomingRequest(overrides: Partial<NewTransfer> = {}): NewTransfer {
  return {
    role: 'provider',
    consumerPid: 'urn:uuid:consumer-transfer-1',
    agreementId: 'urn:uuid:agreement-1',
    counterPartyId: 'did:web:consumer.example',
    counterPartyAddress: 'https://consumer.example/callback',
    format: 'HttpData-PULL',
    ...overrides,
  };
}

describe('transfer/store', () => {
  let db: Store;
  let file: string;
  let store: TransferStore;

  beforeEach(async () => {
    ({ db, file } = await tempDatabase(TRANSFER_MIGRATIONS));
    store = new TransferStore(db);
  });
  afterEach(cleanUp);

  it('round-trips a transfer through a reopened file, with the data address set on start', async () => {
    const t = await store.create(incomingRequest(), received('TransferRequestMessage'));
    expect(t).to.include({
      role: 'provider',
      providerPid: t.id,
      consumerPid: 'urn:uuid:consumer-transfer-1',
      agreementId: 'urn:uuid:agreement-1',
      format: 'HttpData-PULL',
      dataAddress: null,
      state: 'REQUESTED',
      version: 1,
    });
    const started = await store.transition(t.id, sent('TransferStartMessage'), {
      changes: { dataAddress: PULL_ADDRESS },
    });
    expect(started).to.include({ state: 'STARTED', version: 2 });
    expect(started.dataAddress).to.deep.equal(PULL_ADDRESS);

    await db.close();
    const reopened = new TransferStore(await openDatabase(file, TRANSFER_MIGRATIONS));
    expect(await reopened.get(t.id)).to.deep.equal(started);
    expect(await reopened.findByConsumerPid('provider', 'urn:uuid:consumer-transfer-1')).to.deep.equal(
      started,
    );
    expect(await reopened.findByProviderPid('provider', t.id)).to.deep.equal(started);
    expect(await reopened.findByProviderPid('consumer', t.id)).to.equal(undefined);
  });

  it('suspends, resumes and completes; a suspended transfer cannot complete', async () => {
    const t = await store.create(
      {
        role: 'consumer',
        agreementId: 'urn:uuid:agreement-1',
        counterPartyId: 'did:web:provider.example',
        counterPartyAddress: 'https://provider.example/dsp',
        format: 'HttpData-PUSH',
        dataAddress: PULL_ADDRESS,
      },
      sent('TransferRequestMessage'),
    );
    expect(t).to.include({ consumerPid: t.id, providerPid: null });
    await store.update(t.id, { providerPid: 'urn:uuid:provider-transfer-1' });
    await store.transition(t.id, received('TransferStartMessage'));
    await store.transition(t.id, sent('TransferSuspensionMessage'), { changes: { reason: 'maintenance' } });
    const error = await rejectsWithCode(
      store.transition(t.id, received('TransferCompletionMessage')),
      'ERR_INVALID_TRANSITION',
    );
    expect(error.message).to.match(
      /^a TransferCompletionMessage cannot be accepted in state SUSPENDED by the consumer: /,
    );
    await store.transition(t.id, received('TransferStartMessage'));
    const done = await store.transition(t.id, sent('TransferCompletionMessage'), {
      changes: { reason: null },
    });
    expect(done).to.include({ state: 'COMPLETED', reason: null, version: 6 });
    expect(await store.findByProviderPid('consumer', 'urn:uuid:provider-transfer-1')).to.deep.equal(done);
    await rejectsWithCode(
      store.transition(t.id, sent('TransferTerminationMessage')),
      'ERR_INVALID_TRANSITION',
    );
  });

  it('lists by agreement and state', async () => {
    const a = await store.create(incomingRequest(), received('TransferRequestMessage'));
    const b = await store.create(
      incomingRequest({ consumerPid: 'urn:uuid:c-2', agreementId: 'urn:uuid:agreement-2' }),
      received('TransferRequestMessage'),
    );
    await store.transition(b.id, sent('TransferStartMessage'));
    expect((await store.list({ agreementId: 'urn:uuid:agreement-1' })).map((t) => t.id)).to.deep.equal([
      a.id,
    ]);
    expect((await store.list({ state: ['STARTED', 'SUSPENDED'] })).map((t) => t.id)).to.deep.equal([b.id]);
    expect((await store.list({ role: 'provider' })).map((t) => t.id)).to.deep.equal([b.id, a.id]);
  });

  it('reports duplicates and unknown ids, and lets one of two same-version writers win', async () => {
    const t = await store.create(incomingRequest(), received('TransferRequestMessage'));
    await rejectsWithCode(
      store.create(incomingRequest(), received('TransferRequestMessage')),
      'ERR_DUPLICATE_PID',
    );
    await rejectsWithCode(store.transition('urn:uuid:none', sent('TransferStartMessage')), 'ERR_NOT_FOUND');
    const results = await Promise.allSettled([
      store.transition(t.id, sent('TransferStartMessage'), { expectedVersion: 1 }),
      store.transition(t.id, sent('TransferTerminationMessage'), { expectedVersion: 1 }),
    ]);
    expect(tally(results)).to.deep.equal({ won: 1, codes: ['ERR_VERSION_CONFLICT'] });
    expect(await store.get(t.id)).to.include({ state: 'STARTED', version: 2 });
  });
});
