import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  NEGOTIATION_MIGRATIONS,
  NegotiationStore,
  received,
  sent,
} from '../../connector/negotiation/index.js';
import {
  OUTBOX_MIGRATIONS,
  OutboxWorker,
  PermanentDeliveryError,
  cancelPending,
  createHttpDeliver,
  enqueue,
  listOutbox,
  retryAfterMs,
  type OutboxEntry,
  type OutboxWorkerOptions,
} from '../../connector/outbox/index.js';
import { withRequestId } from '../../connector/logging/index.js';
import type { Store } from '../../connector/store/database.js';
import { TEST_STORE, testDatabaseUrl } from '../support/store.js';
import { cleanUp, openDatabase, rejectsWithCode, tempDatabase } from '../negotiation/helpers.js';
import { TestServer, type Reply } from './server.js';

const FAST = { baseDelayMs: 10, pollIntervalMs: 50, deliveryTimeoutMs: 3000 } as const;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe('outbox/worker', function () {
  this.timeout(20_000);
  let server: TestServer;
  let db: Store;
  let file: string;
  const workers: OutboxWorker[] = [];

  beforeEach(async () => {
    server = await TestServer.start();
    ({ db, file } = await tempDatabase([...NEGOTIATION_MIGRATIONS, ...OUTBOX_MIGRATIONS]));
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop()));
    await server.close();
    await cleanUp();
  });

  /** Enqueues message n of `aggregate`, to its own path so the server can count attempts per message. */
  async function put(
    aggregate: string,
    n: number,
    on: Store = db,
    headersFactoryKey?: string,
  ): Promise<void> {
    await on.transaction((tx) =>
      enqueue(tx, {
        aggregateId: aggregate,
        url: server.url(`/${aggregate}/${n}`),
        method: 'POST',
        body: { aggregate, n },
        headersFactoryKey,
      }),
    );
  }

  function worker(options: Partial<OutboxWorkerOptions> = {}, on: Store = db): OutboxWorker {
    const w = new OutboxWorker(on, { deliver: createHttpDeliver(), ...FAST, ...options });
    workers.push(w);
    w.start();
    return w;
  }

  async function entries(on: Store = db): Promise<OutboxEntry[]> {
    return listOutbox(on);
  }

  it('delivers a committed message as JSON and records it delivered', async () => {
    await put('A', 1);
    const w = worker();
    w.wake();
    await w.drain();
    expect(server.arrivals).to.have.length(1);
    const [arrival] = server.arrivals;
    expect(arrival).to.deep.include({ path: '/A/1', method: 'POST', body: { aggregate: 'A', n: 1 } });
    expect(arrival?.headers['content-type']).to.equal('application/json');
    const [entry] = await entries();
    expect(entry).to.include({ status: 'delivered', attempts: 1, lastError: null });
    expect(entry?.deliveredAt).to.be.a('string');
  });

  it('sends the id of the request that queued a message as X-Request-Id, and none without one', async () => {
    await withRequestId('consumer-request-7', () => put('A', 1));
    await put('B', 1);
    const w = worker();
    w.wake();
    await w.drain();
    const byPath = new Map(server.arrivals.map((a) => [a.path, a.headers['x-request-id']]));
    expect(byPath.get('/A/1')).to.equal('consumer-request-7');
    expect(byPath.get('/B/1')).to.equal(undefined);
    expect((await entries()).map((e) => e.requestId).sort()).to.deep.equal(['consumer-request-7', null]);
  });

  it('retries a failing peer with growing waits, minting fresh headers for every attempt', async () => {
    server.reply = (_arrival, index) =>
      index < 3 ? { status: 503, body: { error: 'busy' } } : { status: 200 };
    await put('A', 1, db, 'dsp');
    const w = worker({
      deliver: createHttpDeliver({
        headers: { dsp: (e) => ({ Authorization: `Bearer token-${e.attempts}` }) },
      }),
      baseDelayMs: 40,
      random: () => 0.5, // waits of 30, 60, 120 ms
    });
    await w.drain();
    const times = server.arrivals.map((a) => a.at);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    expect(gaps).to.have.length(3);
    // Lower bounds only: a loaded machine may stretch a wait, never shorten it.
    expect(gaps[0]).to.be.at.least(29);
    expect(gaps[1]).to.be.at.least(59);
    expect(gaps[2]).to.be.at.least(119);
    expect(server.arrivals.map((a) => a.headers.authorization)).to.deep.equal([
      'Bearer token-1',
      'Bearer token-2',
      'Bearer token-3',
      'Bearer token-4',
    ]);
    expect((await entries())[0]).to.include({ status: 'delivered', attempts: 4, lastError: null });
  });

  it('records the attempt count, last error and next attempt time while waiting to retry', async () => {
    server.reply = () => ({ status: 503, body: { error: 'down for maintenance' } });
    await put('A', 1);
    worker({ baseDelayMs: 5000, jitter: 0 });
    await waitFor('the failure to be recorded', async () => (await entries())[0]?.lastError !== null);
    const [entry] = await entries();
    expect(entry).to.include({ status: 'pending', attempts: 1 });
    expect(entry?.lastError).to.equal(
      `POST ${server.url('/A/1')} answered 503: {"error":"down for maintenance"}`,
    );
    const wait = Date.parse(entry!.nextAttemptAt) - Date.now();
    expect(wait).to.be.within(4000, 5000);
  });

  it('keeps order within an aggregate through retries while other aggregates go on', async () => {
    server.reply = (arrival, index) =>
      arrival.path === '/A/1' && index < 2 ? { status: 503 } : { status: 200 };
    for (let n = 1; n <= 4; n++) await put('A', n);
    for (let n = 1; n <= 3; n++) await put('B', n);
    const w = worker({ baseDelayMs: 200, random: () => 0 });
    await w.drain();
    expect(server.sequence('A')).to.deep.equal([1, 1, 1, 2, 3, 4]);
    expect(server.sequence('B')).to.deep.equal([1, 2, 3]);
    // B was not held up by A's back-off: all of B arrived before A's first retry.
    const lastB = server.arrivals.findLastIndex((a) => a.body?.aggregate === 'B');
    const firstRetryOfA = server.arrivals.findIndex((a, i) => a.path === '/A/1' && i > 0);
    expect(lastB).to.be.lessThan(firstRetryOfA);
    expect((await entries()).map((e) => e.status)).to.deep.equal(Array(7).fill('delivered'));
  });

  for (const concurrency of [2, 4]) {
    it(`delivers aggregates in parallel up to concurrency ${concurrency}, one at a time per aggregate`, async () => {
      server.reply = () => ({ status: 200, delayMs: 60 });
      const aggregates = ['A', 'B', 'C', 'D'];
      for (let n = 1; n <= 3; n++) for (const a of aggregates) await put(a, n);
      const started = Date.now();
      await worker({ concurrency }).drain();
      const elapsed = Date.now() - started;
      expect(server.maxActive).to.equal(concurrency);
      for (const a of aggregates) {
        expect(server.maxActiveByAggregate.get(a), a).to.equal(1);
        expect(server.sequence(a), a).to.deep.equal([1, 2, 3]);
      }
      expect(elapsed).to.be.lessThan(12 * 60); // sequentially it would take 12 x 60 ms
    });
  }

  it('gives up after maxAttempts and runs onGiveUp once, which terminates the negotiation', async () => {
    server.reply = () => ({ status: 503 });
    const store = new NegotiationStore(db);
    const n = await store.create(
      {
        role: 'provider',
        consumerPid: 'urn:uuid:c-1',
        counterPartyId: 'did:web:consumer.example',
        counterPartyAddress: server.url(''),
        offer: { '@id': 'urn:uuid:offer-1' },
      },
      received('ContractRequestMessage'),
    );
    await db.transaction(async (tx) => {
      await store.transition(n.id, sent('ContractAgreementMessage'), { tx });
      await enqueue(tx, {
        aggregateId: n.id,
        url: server.url('/negotiations/c-1/agreement'),
        method: 'POST',
        body: { '@type': 'ContractAgreementMessage' },
      });
    });
    const given: [OutboxEntry, Error][] = [];
    const onGiveUp = async (entry: OutboxEntry, error: Error): Promise<void> => {
      given.push([entry, error]);
      await store.transition(entry.aggregateId, sent('ContractNegotiationTerminationMessage'), {
        changes: { reason: `the consumer could not be reached: ${error.message}` },
      });
    };
    await worker({ maxAttempts: 3, onGiveUp }).drain();

    expect(server.arrivals).to.have.length(3);
    expect(given).to.have.length(1);
    expect(given[0]![0]).to.include({ status: 'failed', attempts: 3, aggregateId: n.id });
    expect(given[0]![1].message).to.match(/answered 503$/);
    expect(await store.get(n.id)).to.include({ state: 'TERMINATED' });
    expect((await store.get(n.id))?.reason).to.match(
      /^the consumer could not be reached: POST .* answered 503$/,
    );

    // A later worker on the same file does not run the hook again.
    const [first] = workers.splice(0);
    await first!.stop();
    await worker({ onGiveUp }).drain();
    expect(given).to.have.length(1);
  });

  it('asks superseded only for entries whose record moved since they were queued (versionedBy)', async () => {
    const store = new NegotiationStore(db);
    const open = (consumerPid: string) =>
      store.create(
        {
          role: 'provider',
          consumerPid,
          counterPartyId: 'did:web:consumer.example',
          counterPartyAddress: server.url(''),
          offer: { '@id': 'urn:uuid:offer-1' },
        },
        received('ContractRequestMessage'),
      );
    const [kept, moved, unversioned] = [
      await open('urn:uuid:c-1'),
      await open('urn:uuid:c-2'),
      await open('urn:uuid:c-3'),
    ];
    for (const n of [kept, moved, unversioned]) {
      await db.transaction(async (tx) => {
        const next = await store.transition(n.id, sent('ContractAgreementMessage'), { tx });
        await enqueue(tx, {
          aggregateId: n.id,
          url: server.url(`/${n.id}`),
          method: 'POST',
          body: { '@type': 'ContractAgreementMessage' },
          ...(n === unversioned ? {} : { aggregateVersion: next.version }),
        });
      });
    }
    // A message received after the agreement was queued moves one of them on.
    await store.transition(moved.id, received('ContractAgreementVerificationMessage'));
    const asked: string[] = [];
    const superseded = async (entry: OutboxEntry): Promise<string | undefined> => {
      asked.push(entry.aggregateId);
      return entry.aggregateId === moved.id ? 'overtaken' : undefined;
    };
    await worker({ superseded, versionedBy: ['negotiation'] }).drain();

    expect(asked.sort()).to.deep.equal([moved.id, unversioned.id].sort());
    const byAggregate = new Map((await entries()).map((e) => [e.aggregateId, e]));
    expect(byAggregate.get(kept.id)).to.include({ status: 'delivered', aggregateVersion: 2 });
    expect(byAggregate.get(moved.id)).to.include({ status: 'cancelled', lastError: 'overtaken' });
    expect(byAggregate.get(unversioned.id)).to.include({ status: 'delivered', aggregateVersion: null });
    expect(server.arrivals.map((a) => a.path).sort()).to.deep.equal(
      [`/${kept.id}`, `/${unversioned.id}`].sort(),
    );
  });

  it('delivers an aggregate’s entries queued together, one after another, without waiting for a poll', async () => {
    await db.transaction(async (tx) => {
      for (const n of [1, 2, 3]) {
        await enqueue(tx, { aggregateId: 'A', url: server.url(`/A/${n}`), method: 'POST', body: { n } });
      }
    });
    const w = worker({ pollIntervalMs: 60_000 });
    w.wake();
    await waitFor('three deliveries', async () => server.arrivals.length === 3, 2000);
    expect(server.arrivals.map((a) => a.path)).to.deep.equal(['/A/1', '/A/2', '/A/3']);
  });

  it('sends an offered entry at once, and one queued behind another of its aggregate only in order', async () => {
    const w = worker({ pollIntervalMs: 60_000 });
    await w.drain(); // the start-up pass has run
    server.reply = () => ({ status: 503 }); // A/1 fails and waits for its retry
    const queue = (n: number) =>
      db.transaction((tx) =>
        enqueue(tx, { aggregateId: 'A', url: server.url(`/A/${n}`), method: 'POST', body: { n } }),
      );
    const first = await queue(1);
    expect(first.first).to.equal(true);
    w.offer([first]);
    await waitFor('the first attempt', async () => server.arrivals.length === 1);
    server.reply = () => ({ status: 200 });
    const second = await queue(2);
    expect(second.first).to.equal(false);
    w.offer([second]); // not sent before A/1
    await waitFor('both delivered', async () => (await entries()).every((e) => e.status === 'delivered'));
    expect(server.arrivals.map((a) => a.path)).to.deep.equal(['/A/1', '/A/1', '/A/2']);
  });

  it('retries 404, 429, 5xx and a dropped connection, then delivers', async () => {
    const failures: Reply[] = [{ status: 404 }, 'close', { status: 429 }, { status: 503 }];
    server.reply = (_arrival, index) => failures[index] ?? { status: 200 };
    await put('A', 1);
    const given: Error[] = [];
    await worker({ onGiveUp: (_e, error) => void given.push(error) }).drain();
    expect(given).to.deep.equal([]);
    expect(server.arrivals).to.have.length(5);
    const [entry] = await entries();
    expect(entry?.status).to.equal('delivered');
    // The HTTP client itself resends once on a fresh connection when a reused one was dropped.
    expect(entry?.attempts).to.be.within(4, 5);
  });

  it('waits at least as long as a 429 or 503 Retry-After says', async () => {
    server.reply = (_arrival, index) =>
      index === 0 ? { status: 429, headers: { 'retry-after': '2' } } : { status: 200 };
    await put('A', 1);
    worker();
    await waitFor('the first answer', async () => (await entries())[0]?.lastError !== null);
    const [entry] = await entries();
    // Scheduled from the moment the 429 was handled: at least 2 s later, whatever the back-off says.
    expect(Date.parse(entry!.nextAttemptAt) - Date.parse(entry!.updatedAt)).to.be.at.least(2000);
    expect(retryAfterMs('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('2015-10-21T07:27:00Z'))).to.equal(
      60_000,
    );
    expect(retryAfterMs('soon', 0)).to.equal(undefined);
  });

  it('gives up once giveUpAfterMs has passed since the message was queued, saying so', async () => {
    server.reply = () => ({ status: 503 });
    await put('A', 1);
    const given: Error[] = [];
    await worker({ giveUpAfterMs: 300, onGiveUp: (_e, error) => void given.push(error) }).drain();
    const [entry] = await entries();
    expect(entry?.status).to.equal('failed');
    expect(entry?.attempts).to.be.greaterThan(1);
    expect(given.map((e) => e.message)).to.deep.equal([
      `POST ${server.url('/A/1')} answered 503 (retried for 300 ms)`,
    ]);
  });

  it('takes a 4xx other than 404 and 429 as final at once', async () => {
    for (const [n, status] of [400, 401, 403, 409, 410].entries()) {
      server.reply = () => ({ status });
      await put(`F${n}`, 1);
    }
    await worker().drain();
    expect(server.arrivals).to.have.length(5);
    expect((await entries()).map((e) => [e.status, e.attempts])).to.deep.equal(
      new Array(5).fill(['failed', 1]),
    );
  });

  it('gives up at once on a PermanentDeliveryError', async () => {
    server.reply = () => ({
      status: 400,
      body: { '@type': 'ContractNegotiationError', code: 'INVALID_STATE' },
    });
    await put('A', 1);
    await put('A', 2);
    const errors: Error[] = [];
    await worker({ maxAttempts: 5, onGiveUp: (_e, error) => void errors.push(error) }).drain();
    expect(server.sequence('A')).to.deep.equal([1, 2]); // the next message is not blocked by a failed one
    expect(errors).to.have.length(2);
    expect(errors[0]).to.be.instanceOf(PermanentDeliveryError);
    expect((errors[0] as PermanentDeliveryError).status).to.equal(400);
    expect(errors[0]?.message).to.include('answered 400: {"@type":"ContractNegotiationError"');
    expect((await entries()).map((e) => [e.status, e.attempts])).to.deep.equal([
      ['failed', 1],
      ['failed', 1],
    ]);
  });

  it('fails permanently when an entry names a headers factory nobody configured', async () => {
    await put('A', 1, db, 'missing');
    const errors: Error[] = [];
    await worker({ onGiveUp: (_e, error) => void errors.push(error) }).drain();
    expect(server.arrivals).to.have.length(0);
    expect(errors[0]?.message).to.equal(
      'no headers factory "missing" is configured for the outbox; add it to createHttpDeliver\'s headers',
    );
  });

  it('reruns a give-up hook that threw, at the next start', async () => {
    server.reply = () => ({ status: 403 });
    await put('A', 1);
    const logged: unknown[] = [];
    const first = worker({
      onGiveUp: () => Promise.reject(new Error('the store was busy')),
      onError: (e) => logged.push(e),
    });
    await first.drain();
    expect(logged.map(String)).to.deep.equal(['Error: the store was busy']);
    await first.stop();

    const hooked: OutboxEntry[] = [];
    await worker({ onGiveUp: (entry) => void hooked.push(entry) }).drain();
    expect(hooked.map((e) => [e.status, e.lastError])).to.deep.equal([
      ['failed', `POST ${server.url('/A/1')} answered 403`],
    ]);
    expect(server.arrivals).to.have.length(1);
  });

  it('lets the caller cancel a retrying message so a termination need not wait behind it', async () => {
    server.reply = (arrival) => (arrival.path === '/A/1' ? { status: 503 } : { status: 200 });
    await put('A', 1);
    const w = worker({ baseDelayMs: 10_000 });
    await waitFor('the first failure', async () => (await entries())[0]?.lastError !== null);
    await db.transaction(async (tx) => {
      expect(await cancelPending(tx, 'A', 'terminated by the operator')).to.equal(1);
      await enqueue(tx, {
        aggregateId: 'A',
        url: server.url('/A/2'),
        method: 'POST',
        body: { aggregate: 'A', n: 2 },
      });
    });
    w.wake();
    await w.drain();
    expect(server.sequence('A')).to.deep.equal([1, 2]);
    expect((await entries()).map((e) => [e.status, e.lastError])).to.deep.equal([
      ['cancelled', 'terminated by the operator'],
      ['delivered', null],
    ]);
  });

  it('hands 2xx bodies to onResponse and does not follow redirects', async () => {
    server.reply = (arrival) =>
      arrival.path === '/A/1'
        ? { status: 201, body: { '@type': 'ContractNegotiation', providerPid: 'urn:uuid:p-1' } }
        : { status: 302 };
    await put('A', 1);
    await put('B', 1);
    const seen: unknown[] = [];
    const failed: Error[] = [];
    await worker({
      deliver: createHttpDeliver({ onResponse: (_entry, response) => void seen.push(response) }),
      onGiveUp: (_e, error) => void failed.push(error),
    }).drain();
    expect(seen).to.deep.equal([
      { status: 201, body: { '@type': 'ContractNegotiation', providerPid: 'urn:uuid:p-1' } },
    ]);
    expect(failed.map((e) => e.message)).to.deep.equal([`POST ${server.url('/B/1')} answered 302`]);
  });

  it('stop() waits for the delivery in flight; a new worker on the same file delivers the rest exactly once', async () => {
    server.reply = (arrival) => ({ status: 200, delayMs: arrival.path === '/A/1' ? 150 : 0 });
    for (let n = 1; n <= 3; n++) await put('A', n);
    const first = worker();
    await server.arrived(1);
    await first.stop();
    expect((await entries()).map((e) => e.status)).to.deep.equal(['delivered', 'pending', 'pending']);
    expect(server.arrivals).to.have.length(1);

    await db.close();
    const again = await openDatabase(file, OUTBOX_MIGRATIONS);
    await worker({}, again).drain();
    expect(server.sequence('A')).to.deep.equal([1, 2, 3]);
    expect((await entries(again)).map((e) => [e.status, e.attempts])).to.deep.equal([
      ['delivered', 1],
      ['delivered', 1],
      ['delivered', 1],
    ]);
  });

  it('after a kill -9 mid-delivery, the next worker sends that message again and the rest once (at least once)', async () => {
    server.reply = (arrival, index) => (arrival.path === '/A/1' && index === 0 ? 'hang' : { status: 200 });
    for (let n = 1; n <= 3; n++) await put('A', n);
    await db.close();

    const fixture = fileURLToPath(new URL('./fixtures/worker-process.ts', import.meta.url));
    const where = TEST_STORE === 'postgres' ? await testDatabaseUrl(file) : file;
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, where], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    await Promise.race([
      server.arrived(1),
      exited.then(() => Promise.reject(new Error(`the worker process exited early: ${output}`))),
      sleep(15_000).then(() => Promise.reject(new Error(`no delivery from the worker process: ${output}`))),
    ]);
    child.kill('SIGKILL');
    await exited;

    const again = await openDatabase(file, OUTBOX_MIGRATIONS);
    expect((await entries(again)).map((e) => [e.status, e.attempts])).to.deep.equal([
      ['pending', 1],
      ['pending', 0],
      ['pending', 0],
    ]);
    await worker({}, again).drain();
    expect(server.sequence('A')).to.deep.equal([1, 1, 2, 3]);
    expect((await entries(again)).map((e) => [e.status, e.attempts])).to.deep.equal([
      ['delivered', 2],
      ['delivered', 1],
      ['delivered', 1],
    ]);
  });

  it('validates messages and options', async () => {
    await db.transaction(async (tx) => {
      await rejectsWithCode(
        enqueue(tx, { aggregateId: 'A', url: 'ftp://x.example/', method: 'POST', body: null }),
        'ERR_OUTBOX_INVALID_MESSAGE',
      );
      await rejectsWithCode(
        enqueue(tx, { aggregateId: 'A', url: 'not a url', method: 'POST', body: null }),
        'ERR_OUTBOX_INVALID_MESSAGE',
      );
    });
    expect(() => new OutboxWorker(db, { deliver: createHttpDeliver(), concurrency: 0 })).to.throw(RangeError);
    expect(() => new OutboxWorker(db, { deliver: createHttpDeliver(), jitter: 2 })).to.throw(RangeError);
    await rejectsWithCode(
      new OutboxWorker(db, { deliver: createHttpDeliver() }).drain(),
      'ERR_OUTBOX_NOT_RUNNING',
    );
  });
});
