// Duties: recorded once per agreement with performer, state and deadline (from refinements such as
// `elapsedTime lteq P180D` or `dateTime lteq <date>`); overdue duties become violated and then block
// access; the CSV column remover streams, handles RFC 4180 quoting across chunk boundaries and fails
// closed.
import { expect } from 'chai';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  DATAPLANE_MIGRATIONS,
  ObligationStore,
  UsageMeter,
  createCsvColumnRemover,
  type Performer,
} from '../../connector/dataplane/index.js';
import type { Store } from '../../connector/store/database.js';
import { openTestStore } from '../support/store.js';
import {
  ASSET_ID,
  CONSUMER_DID,
  TestClock,
  agreementPolicy,
  readAll,
  removeTempDirs,
  tempDir,
  thrown,
} from './helpers.js';

const duties = [
  { uid: 'urn:duty:anonymize', action: 'anonymize' },
  { uid: 'urn:duty:attribute', action: 'attribute' },
  {
    uid: 'urn:duty:delete',
    action: {
      'rdf:value': { '@id': 'odrl:delete' },
      refinement: [
        {
          leftOperand: 'elapsedTime',
          operator: 'lteq',
          rightOperand: { '@value': 'P180D', '@type': 'xsd:duration' },
        },
      ],
    },
  },
  {
    action: {
      'rdf:value': { '@id': 'odrl:compensate' },
      refinement: [
        {
          leftOperand: 'dateTime',
          operator: 'lteq',
          rightOperand: { '@value': '2026-06-30', '@type': 'xsd:date' },
        },
      ],
    },
  },
];

async function anonymise(input: string | Buffer[], columns: string[]): Promise<string> {
  const chunks = typeof input === 'string' ? [Buffer.from(input)] : input;
  return (await readAll(Readable.from(chunks).pipe(createCsvColumnRemover(columns)))).toString();
}

describe('dataplane/duties', () => {
  after(removeTempDirs);

  describe('obligation store', () => {
    let db: Store;
    let store: ObligationStore;
    let meter: UsageMeter;
    const clock = new TestClock();
    const performerOf = (d: { action: string }): Performer =>
      d.action === 'anonymize' ? 'provider' : 'consumer';
    beforeEach(async () => {
      clock.current = new Date('2026-06-01T08:00:00Z');
      db = await openTestStore(join(await tempDir(), 'duties.sqlite'), DATAPLANE_MIGRATIONS);
      store = new ObligationStore(db, { clock: clock.now });
      meter = new UsageMeter(db, { clock: clock.now });
    });
    afterEach(() => db.close());

    it('records the duties of a permit once, with performer and deadline', async () => {
      const policy = await agreementPolicy([], duties);
      const grant = await meter.authorizeAccess(policy, {
        agreementId: 'a1',
        consumerDid: CONSUMER_DID,
        target: ASSET_ID,
      });
      expect(grant.duties.map((d) => d.action)).to.deep.equal([
        'anonymize',
        'attribute',
        'delete',
        'compensate',
      ]);
      const context = { policy: policy.policy!, firstUseAt: grant.firstUseAt, performerOf };
      await store.record('a1', grant.duties, context);
      clock.advance(1000);
      const all = await store.record('a1', grant.duties, context);
      expect(all).to.have.length(4);
      expect(all.map((o) => [o.action, o.performer, o.state, o.deadline])).to.deep.equal([
        ['anonymize', 'provider', 'pending', undefined],
        ['attribute', 'consumer', 'pending', undefined],
        ['delete', 'consumer', 'pending', '2026-11-28T08:00:00.000Z'],
        ['compensate', 'consumer', 'pending', '2026-07-01T00:00:00.000Z'],
      ]);
      expect(all[3]?.key).to.equal('/permission/0/duty/3 compensate');
      expect(all[2]?.refinements).to.deep.equal(['elapsedTime lteq P180D']);
      const consumer = await store.forConsumer('a1');
      expect(consumer.map((o) => o.action)).to.deep.equal(['compensate', 'delete', 'attribute']);
    });

    it('marks overdue duties violated, and a violated duty then blocks access with the reason', async () => {
      const policy = await agreementPolicy([], duties);
      const grant = await meter.authorizeAccess(policy, {
        agreementId: 'a1',
        consumerDid: CONSUMER_DID,
        target: ASSET_ID,
      });
      await store.record('a1', grant.duties, {
        policy: policy.policy!,
        firstUseAt: grant.firstUseAt,
        performerOf,
      });
      await store.setState('a1', 'urn:duty:anonymize', 'fulfilled');
      expect(await store.markOverdue(new Date('2026-06-30T12:00:00Z'))).to.equal(0);
      expect(await store.markOverdue(new Date('2026-07-01T00:00:00Z'))).to.equal(1);
      const states = await store.reportedStates('a1');
      expect(states).to.deep.equal({ 'urn:duty:anonymize': 'fulfilled', compensate: 'violated' });
      const error = await thrown(() =>
        meter.authorizeAccess(policy, {
          agreementId: 'a1',
          consumerDid: CONSUMER_DID,
          target: ASSET_ID,
          duties: states,
        }),
      );
      expect(error.code).to.equal('ERR_USAGE_DENIED');
      expect(error.details?.decisionCode).to.equal('DUTY_VIOLATED');
    });

    it('a fulfilled duty stays fulfilled past its deadline', async () => {
      const policy = await agreementPolicy([], duties);
      const grant = await meter.authorizeAccess(policy, {
        agreementId: 'a1',
        consumerDid: CONSUMER_DID,
        target: ASSET_ID,
      });
      await store.record('a1', grant.duties, {
        policy: policy.policy!,
        firstUseAt: grant.firstUseAt,
        performerOf,
      });
      await store.setState('a1', '/permission/0/duty/3 compensate', 'fulfilled');
      expect(await store.markOverdue(new Date('2027-01-01T00:00:00Z'))).to.equal(1); // only delete (P180D)
      expect((await store.list('a1')).map((o) => o.state)).to.deep.equal([
        'pending',
        'pending',
        'violated',
        'fulfilled',
      ]);
    });

    it('refuses to set the state of an unknown duty', async () => {
      expect((await thrown(() => store.setState('a1', 'urn:duty:none', 'fulfilled'))).code).to.equal(
        'ERR_OBLIGATION_NOT_FOUND',
      );
    });
  });

  describe('CSV column removal', () => {
    it('removes the named columns (case-insensitive), keeping the rest verbatim', async () => {
      const csv = 'id,Name,age,id_number\n1,Wang Wei,40,110101199001011234\n2,Li Na,51,110101198001011234\n';
      expect(await anonymise(csv, ['name', 'ID_NUMBER'])).to.equal('id,age\n1,40\n2,51\n');
    });

    it('handles quoted delimiters, escaped quotes, line breaks in fields, CRLF and a missing final newline', async () => {
      const csv =
        '"id","note","name"\r\n1,"a, b","Wang ""the"" Wei"\r\n2,"multi\nline","x,y"\r\n3,plain,last';
      expect(await anonymise(csv, ['name'])).to.equal(
        '"id","note"\r\n1,"a, b"\r\n2,"multi\nline"\r\n3,plain',
      );
    });

    it('gives the same output whatever the chunk boundaries (split at every byte, UTF-8 included)', async () => {
      const csv = 'id,姓名,city\n1,"王""伟",北京\n2,"李,娜",上海\n';
      const expected = await anonymise(csv, ['姓名']);
      expect(expected).to.equal('id,city\n1,北京\n2,上海\n');
      const bytes = Buffer.from(csv);
      const oneByOne = Array.from(bytes, (b) => Buffer.from([b]));
      expect(await anonymise(oneByOne, ['姓名'])).to.equal(expected);
    });

    it('streams: output comes out before the input ends, memory bounded by one record', async () => {
      const remover = createCsvColumnRemover(['secret']);
      let outputBeforeEnd = 0;
      let inputEnded = false;
      async function* rows() {
        yield Buffer.from('id,secret,value\n');
        for (let i = 0; i < 20_000; i++) yield Buffer.from(`${i},s${i},${i * 2}\n`);
        inputEnded = true;
      }
      let total = 0;
      await pipeline(
        Readable.from(rows()),
        remover,
        new Transform({
          transform(chunk: Buffer, _e, cb) {
            if (!inputEnded) outputBeforeEnd += chunk.length;
            total += chunk.length;
            cb();
          },
        }),
      );
      expect(outputBeforeEnd).to.be.greaterThan(total / 2);
    });

    it('fails closed: a column missing from the header, a row wider than the header, an unclosed quote, a huge record', async () => {
      expect((await thrown(() => anonymise('id,name\n1,x\n', ['nmae']))).code).to.equal(
        'ERR_ANONYMISE_FAILED',
      );
      expect((await thrown(() => anonymise('id,name\n1,x,extra\n', ['name']))).code).to.equal(
        'ERR_ANONYMISE_FAILED',
      );
      expect((await thrown(() => anonymise('id,name\n1,"x\n', ['name']))).code).to.equal(
        'ERR_ANONYMISE_FAILED',
      );
      const huge = `id,name\n1,"${'x'.repeat(2 * 1024 * 1024)}`;
      expect((await thrown(() => anonymise(huge, ['name']))).code).to.equal('ERR_ANONYMISE_FAILED');
    });
  });
});
