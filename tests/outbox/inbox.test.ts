import { expect } from 'chai';
import {
  NEGOTIATION_MIGRATIONS,
  NegotiationStore,
  received,
  sent,
} from '../../connector/negotiation/index.js';
import { INBOX_MIGRATIONS, Inbox, canonicalJson, messageDigest } from '../../connector/outbox/index.js';
import type { Store, Queries } from '../../connector/store/database.js';
import { cleanUp, openDatabase, tempDatabase } from '../negotiation/helpers.js';

const MIGRATIONS = [...NEGOTIATION_MIGRATIONS, ...INBOX_MIGRATIONS];

describe('outbox/inbox', () => {
  let db: Store;
  let file: string;
  let inbox: Inbox;

  beforeEach(async () => {
    ({ db, file } = await tempDatabase(MIGRATIONS));
    inbox = new Inbox(db);
  });
  afterEach(cleanUp);

  it('answers a duplicate message with the first response and changes the state only once, even after a restart', async () => {
    const store = new NegotiationStore(db);
    const n = await store.create(
      {
        role: 'consumer',
        providerPid: 'urn:uuid:p-1',
        counterPartyId: 'did:web:provider.example',
        counterPartyAddress: 'https://provider.example/dsp',
        offer: { '@id': 'urn:uuid:offer-1' },
      },
      received('ContractOfferMessage'),
    );
    const message = { '@type': 'ContractAgreementMessage', providerPid: 'urn:uuid:p-1', consumerPid: n.id };
    const key = `did:web:provider.example ${n.id}`;
    await store.transition(n.id, sent('ContractNegotiationEventMessage:ACCEPTED'));
    // The DSP handler for an incoming agreement: transition (refused in any state but ACCEPTED or
    // REQUESTED, so a second run would fail) and the ACK body.
    const handle = (s: NegotiationStore) => async (tx: Queries) => {
      const record = await s.transition(n.id, received('ContractAgreementMessage'), { tx });
      return {
        status: 200,
        body: { '@type': 'ContractNegotiation', state: record.state, version: record.version },
      };
    };

    const first = await inbox.once(key, messageDigest(message), handle(store));
    expect(first).to.deep.equal({
      duplicate: false,
      response: { status: 200, body: { '@type': 'ContractNegotiation', state: 'AGREED', version: 3 } },
    });
    const again = await inbox.once(key, messageDigest({ ...message }), handle(store));
    expect(again).to.deep.equal({ duplicate: true, response: first.response });

    await db.close();
    const reopened = await openDatabase(file, MIGRATIONS);
    const afterRestart = await new Inbox(reopened).once(
      key,
      messageDigest(message),
      handle(new NegotiationStore(reopened)),
    );
    expect(afterRestart).to.deep.equal({ duplicate: true, response: first.response });
    expect(await new NegotiationStore(reopened).get(n.id)).to.include({ state: 'AGREED', version: 3 });
  });

  it('runs the handler once for concurrent duplicates', async () => {
    let runs = 0;
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        inbox.once('k', 'd', async () => {
          runs += 1;
          return { ack: runs };
        }),
      ),
    );
    expect(runs).to.equal(1);
    expect(results.filter((r) => !r.duplicate)).to.have.length(1);
    expect(results.map((r) => r.response)).to.deep.equal(Array(5).fill({ ack: 1 }));
  });

  it('remembers only successes: a handler that throws leaves nothing behind, so a retry is judged afresh', async () => {
    let runs = 0;
    const failing = inbox.once('k', 'd', async (tx) => {
      runs += 1;
      await tx.run('CREATE TABLE side_effect (x INTEGER)');
      throw new Error('invalid transition');
    });
    await failing.then(
      () => expect.fail('should have thrown'),
      (e: Error) => expect(e.message).to.equal('invalid transition'),
    );
    expect(await inbox.lookup('k', 'd')).to.equal(undefined);
    let gone: unknown;
    await db.get('SELECT COUNT(*) AS n FROM side_effect').catch((e: unknown) => (gone = e));
    expect(String(gone)).to.match(/no such table|does not exist/);
    const retry = await inbox.once('k', 'd', async () => ({ runs: ++runs }));
    expect(retry).to.deep.equal({ duplicate: false, response: { runs: 2 } });
  });

  it('keeps different messages, and the same message under different keys, apart', async () => {
    let runs = 0;
    const handler = async (): Promise<number> => ++runs;
    await inbox.once('k1', messageDigest({ a: 1 }), handler);
    await inbox.once('k1', messageDigest({ a: 2 }), handler);
    await inbox.once('k2', messageDigest({ a: 1 }), handler);
    expect(runs).to.equal(3);
    expect(await inbox.lookup('k1', messageDigest({ a: 2 }))).to.equal(2);
  });

  it('digests canonical JSON: key order does not matter, values and array order do', () => {
    expect(canonicalJson({ b: [2, { d: 1, c: null }], a: 'x', u: undefined })).to.equal(
      '{"a":"x","b":[2,{"c":null,"d":1}]}',
    );
    expect(messageDigest({ a: 1, b: 2 })).to.equal(messageDigest({ b: 2, a: 1 }));
    expect(messageDigest({ a: [1, 2] })).not.to.equal(messageDigest({ a: [2, 1] }));
    expect(messageDigest({ a: 1 })).not.to.equal(messageDigest({ a: '1' }));
    expect(messageDigest({ a: 1 })).to.match(/^[0-9a-f]{64}$/);
  });

  it('prunes old entries', async () => {
    const clock = { now: new Date('2026-01-01T00:00:00Z') };
    const timed = new Inbox(db, { now: () => clock.now });
    await timed.once('k', 'old', async () => 1);
    clock.now = new Date('2026-02-01T00:00:00Z');
    await timed.once('k', 'new', async () => 2);
    expect(await timed.prune(new Date('2026-01-15T00:00:00Z'))).to.equal(1);
    expect(await timed.lookup('k', 'old')).to.equal(undefined);
    expect(await timed.lookup('k', 'new')).to.equal(2);
  });
});
