// HTTP pull through the data plane router on a real server: Range/HEAD/ETag, every token attack
// (missing, forged, expired, cross-transfer, replayed after termination, suspended), usage control
// under 50 concurrent requests, expiry refusals with the policy's reason, refresh, sources refused
// by configuration, anonymisation and notification duties, and flat memory on a 64 MiB file.
import { expect } from 'chai';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, open, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Ed25519Key, createDidSigner } from '../../connector/identity/index.js';
import {
  EDR_TOKEN_TYPE,
  type EndpointDataReference,
  type UsageNotification,
} from '../../connector/dataplane/index.js';
import {
  CONSUMER_DID,
  PROVIDER_DID,
  Provider,
  TestClock,
  agreementPolicy,
  bearer,
  eventually,
  problemOf,
  removeTempDirs,
  send,
  tempDir,
} from './helpers.js';

const c = (leftOperand: string, operator: string, rightOperand: unknown) => ({
  leftOperand,
  operator,
  rightOperand,
});
const DIGITS = '0123456789abcdefghijklmnopqrstuvwxyz';

describe('dataplane/pull', () => {
  let base: string;
  let outside: string;
  let provider: Provider;
  let backend: Server;
  let backendPort: number;
  let backendHits = 0;
  const clock = new TestClock();
  const notifications: UsageNotification[] = [];

  before(async () => {
    const root = await tempDir();
    base = join(root, 'assets');
    outside = join(root, 'private');
    await mkdir(base);
    await mkdir(outside);
    await writeFile(join(base, 'digits.txt'), DIGITS);
    await writeFile(
      join(base, 'patients.csv'),
      'id,name,age,id_number\n1,Wang Wei,40,110101\n2,Li Na,51,110102\n',
    );
    await writeFile(join(outside, 'secret.txt'), 'private');
    await symlink(join(outside, 'secret.txt'), join(base, 'link.txt'));
    const big = await open(join(base, 'big.bin'), 'w');
    await big.truncate(64 * 1024 * 1024); // sparse: fast to create, a real 64 MiB to stream
    await big.close();
    backend = createServer((req, res) => {
      backendHits++;
      const range = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
      if (range) {
        const [start, end] = [Number(range[1]), Number(range[2])];
        res.writeHead(206, {
          'content-range': `bytes ${start}-${end}/${DIGITS.length}`,
          'content-type': 'text/plain',
        });
        res.end(DIGITS.slice(start, end + 1));
      } else {
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': DIGITS.length }).end(DIGITS);
      }
    });
    await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
    backendPort = (backend.address() as AddressInfo).port;
    provider = await Provider.start({
      clock,
      notifier: (n) => {
        notifications.push(n);
      },
      sources: {
        file: { baseDirectories: [base] },
        http: {
          allowHosts: [`127.0.0.1:${backendPort}`],
          allowHttp: true,
          allowPrivateAddresses: true,
          timeoutMs: 2000,
        },
      },
    });
  });
  after(async () => {
    await provider.close();
    backend.closeAllConnections();
    await new Promise((resolve) => backend.close(resolve));
    await removeTempDirs();
  });
  beforeEach(() => {
    clock.current = new Date('2026-06-01T08:00:00Z');
  });

  let seq = 0;
  /** A fresh STARTED transfer (own agreement, so counts start at zero) and its EDR. */
  async function transfer(
    dataAddress: object = { kind: 'file', path: 'digits.txt' },
    constraints: object[] = [],
    duties: object[] = [],
  ): Promise<{ id: string; edr: EndpointDataReference }> {
    const id = `transfer-${++seq}`;
    provider.addTransfer(id, {
      policy: await agreementPolicy(constraints, duties),
      dataAddress: dataAddress as never,
    });
    return { id, edr: await provider.edr(id) };
  }

  describe('serving', () => {
    it('GET streams the whole file with ETag, length and ranges advertised', async () => {
      const { id, edr } = await transfer();
      const res = await send(edr.endpoint, { headers: bearer(edr) });
      expect(res.status).to.equal(200);
      expect(res.body.toString()).to.equal(DIGITS);
      expect(res.headers['content-length']).to.equal('36');
      expect(res.headers['accept-ranges']).to.equal('bytes');
      expect(res.headers['cache-control']).to.equal('no-store');
      expect(res.headers.etag).to.match(/^"/);
      const event = await eventually(() => provider.events.find((e) => e.transferId === id));
      expect(event).to.include({ outcome: 'served', bytes: 36, count: 1, status: 200 });
    });

    it('Range: 206 with Content-Range, suffix ranges, and 416 (not counted) past the end', async () => {
      const { id, edr } = await transfer();
      const part = await send(edr.endpoint, { headers: { ...bearer(edr), range: 'bytes=10-15' } });
      expect(part.status).to.equal(206);
      expect(part.body.toString()).to.equal('abcdef');
      expect(part.headers['content-range']).to.equal('bytes 10-15/36');
      expect(part.headers['content-length']).to.equal('6');
      const suffix = await send(edr.endpoint, { headers: { ...bearer(edr), range: 'bytes=-4' } });
      expect(suffix.body.toString()).to.equal('wxyz');
      const past = await send(edr.endpoint, { headers: { ...bearer(edr), range: 'bytes=36-' } });
      expect(past.status).to.equal(416);
      expect(past.headers['content-range']).to.equal('bytes */36');
      expect(problemOf(past).type).to.match(/range-not-satisfiable$/);
      expect((await provider.meter.usage(`agreement-${id}`))?.count).to.equal(2);
    });

    it('If-Range with a stale ETag serves the whole representation; several ranges are ignored', async () => {
      const { edr } = await transfer();
      const stale = await send(edr.endpoint, {
        headers: { ...bearer(edr), range: 'bytes=5-', 'if-range': '"old"' },
      });
      expect(stale.status).to.equal(200);
      expect(stale.body.toString()).to.equal(DIGITS);
      const etag = stale.headers.etag as string;
      const fresh = await send(edr.endpoint, {
        headers: { ...bearer(edr), range: 'bytes=5-', 'if-range': etag },
      });
      expect(fresh.status).to.equal(206);
      const multi = await send(edr.endpoint, { headers: { ...bearer(edr), range: 'bytes=0-1,4-5' } });
      expect(multi.status).to.equal(200);
    });

    it('HEAD answers the headers without a body and without counting', async () => {
      const { id, edr } = await transfer();
      const res = await send(edr.endpoint, { method: 'HEAD', headers: bearer(edr) });
      expect(res.status).to.equal(200);
      expect(res.headers['content-length']).to.equal('36');
      expect(res.body.length).to.equal(0);
      expect(await provider.meter.usage(`agreement-${id}`)).to.equal(undefined);
    });

    it('serves an http backend asset, passing Range through', async () => {
      const { edr } = await transfer({ kind: 'http', url: `http://127.0.0.1:${backendPort}/export` });
      const res = await send(edr.endpoint, { headers: { ...bearer(edr), range: 'bytes=0-9' } });
      expect(res.status).to.equal(206);
      expect(res.body.toString()).to.equal('0123456789');
      expect(res.headers['content-range']).to.equal('bytes 0-9/36');
    });

    it('serves generated inline data', async () => {
      const { edr } = await transfer({
        kind: 'inline',
        generator: 'csv',
        rows: 3,
        columns: ['id', 'age'],
        seed: 1,
      });
      const res = await send(edr.endpoint, { headers: bearer(edr) });
      expect(res.headers['content-type']).to.match(/^text\/csv/);
      expect(res.body.toString().split('\n')[0]).to.equal('id,age');
    });
  });

  describe('token attacks (401)', () => {
    async function expect401(res: Awaited<ReturnType<typeof send>>, type: string): Promise<void> {
      expect(res.status).to.equal(401);
      expect(res.headers['www-authenticate']).to.match(/^Bearer error="invalid_token"/);
      expect(problemOf(res).type).to.match(new RegExp(`${type}$`));
    }

    it('no token, or not a bearer token', async () => {
      const { edr } = await transfer();
      await expect401(await send(edr.endpoint), 'invalid-token');
      await expect401(
        await send(edr.endpoint, { headers: { authorization: `Basic ${edr.authorization}` } }),
        'invalid-token',
      );
      await expect401(await send(edr.endpoint, { headers: bearer('not.a.jwt') }), 'invalid-token');
    });

    it('a forged token (signed by a key this connector does not publish)', async () => {
      const { id, edr } = await transfer();
      const forger = createDidSigner(PROVIDER_DID, await Ed25519Key.generate(new Date()));
      const now = Math.floor(clock.current.getTime() / 1000);
      const forged = await forger.signJwt(
        { typ: EDR_TOKEN_TYPE },
        {
          iss: PROVIDER_DID,
          sub: CONSUMER_DID,
          aud: `urn:shuyu:edr:${id}`,
          jti: 'x',
          iat: now,
          nbf: now,
          exp: now + 600,
          auth_time: now,
          agreement_id: `agreement-${id}`,
          transfer_id: id,
        },
      );
      await expect401(await send(edr.endpoint, { headers: bearer(forged) }), 'invalid-token');
    });

    it('an expired token', async () => {
      const { edr } = await transfer();
      clock.advance(301_000 + 5_000);
      await expect401(await send(edr.endpoint, { headers: bearer(edr) }), 'token-expired');
    });

    it("another transfer's token (cross-transfer)", async () => {
      const first = await transfer();
      const second = await transfer();
      await expect401(
        await send(first.edr.endpoint, { headers: bearer(second.edr) }),
        'token-binding-mismatch',
      );
      const res = await send(first.edr.endpoint, { headers: bearer(first.edr) });
      expect(res.status).to.equal(200);
    });
  });

  describe('transfer state (403)', () => {
    it('a token replayed after the transfer was terminated is refused', async () => {
      const { id, edr } = await transfer();
      expect((await send(edr.endpoint, { headers: bearer(edr) })).status).to.equal(200);
      provider.setState(id, 'TERMINATED');
      const replay = await send(edr.endpoint, { headers: bearer(edr) });
      expect(replay.status).to.equal(403);
      expect(problemOf(replay).type).to.match(/transfer-not-active$/);
      expect(problemOf(replay).detail).to.contain('TERMINATED');
    });

    it('a suspended transfer refuses access until resumed; a completed one for good', async () => {
      const { id, edr } = await transfer();
      provider.setState(id, 'SUSPENDED');
      const suspended = await send(edr.endpoint, { headers: bearer(edr) });
      expect(suspended.status).to.equal(403);
      expect(problemOf(suspended).detail).to.contain('resumes');
      provider.setState(id, 'STARTED');
      expect((await send(edr.endpoint, { headers: bearer(edr) })).status).to.equal(200);
      provider.setState(id, 'COMPLETED');
      expect((await send(edr.endpoint, { headers: bearer(edr) })).status).to.equal(403);
    });

    it('refresh: a fresh reference before expiry; none for a terminated transfer', async () => {
      const { id, edr } = await transfer();
      clock.advance(200_000);
      const refreshed = await send(edr.refreshEndpoint, { method: 'POST', headers: bearer(edr) });
      expect(refreshed.status).to.equal(200);
      const next = JSON.parse(refreshed.body.toString()) as EndpointDataReference;
      expect(next.endpoint).to.equal(edr.endpoint);
      clock.advance(200_000); // the first token has expired, the refreshed one has not
      expect((await send(edr.endpoint, { headers: bearer(edr) })).status).to.equal(401);
      expect((await send(next.endpoint, { headers: bearer(next) })).status).to.equal(200);
      provider.setState(id, 'TERMINATED');
      expect((await send(next.refreshEndpoint, { method: 'POST', headers: bearer(next) })).status).to.equal(
        403,
      );
    });
  });

  describe('usage control (403 with the reason)', () => {
    it('50 concurrent requests at count limit 10: exactly 10 succeed', async () => {
      const { id, edr } = await transfer({ kind: 'file', path: 'digits.txt' }, [c('count', 'lteq', 10)]);
      const results = await Promise.all(
        Array.from({ length: 50 }, () => send(edr.endpoint, { headers: bearer(edr) })),
      );
      const ok = results.filter((r) => r.status === 200);
      const refused = results.filter((r) => r.status === 403);
      expect(ok).to.have.length(10);
      expect(refused).to.have.length(40);
      expect(ok.every((r) => r.body.toString() === DIGITS)).to.equal(true);
      expect(problemOf(refused[0]!).type).to.match(/usage-denied$/);
      expect(problemOf(refused[0]!).detail).to.contain('count lteq 10');
      expect((await provider.meter.usage(`agreement-${id}`))?.count).to.equal(10);
    });

    it('refuses after the agreement ends (dateTime)', async () => {
      const end = { '@value': '2026-06-02T00:00:00Z', '@type': 'xsd:dateTime' };
      const { edr } = await transfer({ kind: 'file', path: 'digits.txt' }, [c('dateTime', 'lt', end)]);
      expect((await send(edr.endpoint, { headers: bearer(edr) })).status).to.equal(200);
      clock.current = new Date('2026-06-02T00:00:00Z');
      const fresh = await provider.edr(`transfer-${seq}`);
      const res = await send(fresh.endpoint, { headers: bearer(fresh) });
      expect(res.status).to.equal(403);
      expect(problemOf(res).detail).to.contain('dateTime lt 2026-06-02T00:00:00Z');
    });

    it('refuses once the elapsedTime since the first use has passed', async () => {
      const limit = { '@value': 'PT10M', '@type': 'xsd:duration' };
      const { id, edr } = await transfer({ kind: 'file', path: 'digits.txt' }, [
        c('elapsedTime', 'lteq', limit),
      ]);
      expect((await send(edr.endpoint, { headers: bearer(edr) })).status).to.equal(200);
      clock.advance(11 * 60_000);
      const fresh = await provider.edr(id);
      const res = await send(fresh.endpoint, { headers: bearer(fresh) });
      expect(res.status).to.equal(403);
      expect(problemOf(res).detail).to.contain('elapsedTime lteq PT10M');
    });
  });

  describe('sources refused by configuration', () => {
    for (const [name, address] of [
      ['../ traversal', { kind: 'file', path: '../private/secret.txt' }],
      ['an absolute path outside', { kind: 'file', path: '/etc/passwd' }],
      ['an encoded traversal', { kind: 'file', path: '%2e%2e%2fprivate%2fsecret.txt' }],
      ['a symlink escape', { kind: 'file', path: 'link.txt' }],
      ['a backend host not allowed', { kind: 'http', url: 'http://169.254.169.254/latest/meta-data' }],
      ['a backend on another port', { kind: 'http', url: `http://127.0.0.1:${1}/` }],
    ] as const) {
      it(`a file or backend asset with ${name} is refused without leaking where it points`, async () => {
        const hits = backendHits;
        const { id, edr } = await transfer(address);
        const res = await send(edr.endpoint, { headers: bearer(edr) });
        expect(res.status).to.equal(403);
        const problem = problemOf(res);
        expect(problem.type).to.match(/data-source-refused$/);
        expect(problem.detail).to.not.match(/private|passwd|169\.254|secret|127\.0\.0\.1/);
        expect(res.body.toString()).to.not.contain('private');
        expect(backendHits).to.equal(hits);
        expect(await provider.meter.usage(`agreement-${id}`)).to.equal(undefined);
      });
    }
  });

  describe('duties', () => {
    it('anonymises a CSV (streaming column removal) and records the duties with their performers', async () => {
      const address = { kind: 'file', path: 'patients.csv', anonymize: { columns: ['name', 'id_number'] } };
      const duties = [
        { uid: 'urn:duty:anonymize', action: 'anonymize' },
        { uid: 'urn:duty:attribute', action: 'attribute' },
      ];
      const { id, edr } = await transfer(address, [], duties);
      const res = await send(edr.endpoint, { headers: { ...bearer(edr), range: 'bytes=0-5' } });
      expect(res.status).to.equal(200);
      expect(res.body.toString()).to.equal('id,age\n1,40\n2,51\n');
      expect(res.headers['accept-ranges']).to.equal('none');
      expect(res.headers['content-length']).to.equal(undefined);
      expect(res.headers.etag).to.match(/^W\//);
      const obligations = await provider.obligations!.list(`agreement-${id}`);
      expect(obligations.map((o) => [o.action, o.performer, o.state])).to.deep.equal([
        ['anonymize', 'provider', 'fulfilled'],
        ['attribute', 'consumer', 'pending'],
      ]);
      const event = await eventually(() => provider.events.find((e) => e.transferId === id));
      expect(event.performed).to.deep.equal(['anonymize']);
    });

    it('without an anonymize duty the same asset is served as is', async () => {
      const address = { kind: 'file', path: 'patients.csv', anonymize: { columns: ['name'] } };
      const { edr } = await transfer(address);
      expect((await send(edr.endpoint, { headers: bearer(edr) })).body.toString()).to.contain('Wang Wei');
    });

    it('an anonymize duty on data the provider cannot anonymise is left to the consumer', async () => {
      const { id, edr } = await transfer({ kind: 'file', path: 'digits.txt' }, [], [{ action: 'anonymize' }]);
      expect((await send(edr.endpoint, { headers: bearer(edr) })).body.toString()).to.equal(DIGITS);
      const [duty] = await provider.obligations!.forConsumer(`agreement-${id}`);
      expect(duty).to.include({ action: 'anonymize', performer: 'consumer', state: 'pending' });
    });

    it('notifies on every use when the agreement carries an inform duty', async () => {
      const duty = { action: 'inform', informedParty: PROVIDER_DID };
      const { id, edr } = await transfer({ kind: 'file', path: 'digits.txt' }, [], [duty]);
      const before = notifications.length;
      await send(edr.endpoint, { headers: bearer(edr) });
      await send(edr.endpoint, { headers: bearer(edr) });
      const mine = notifications.slice(before);
      expect(mine.map((n) => [n.transferId, n.count, n.consumerDid])).to.deep.equal([
        [id, 1, CONSUMER_DID],
        [id, 2, CONSUMER_DID],
      ]);
      expect(mine[0]?.duty.parties).to.deep.equal({ informedParty: [PROVIDER_DID] });
      const [obligation] = await provider.obligations!.list(`agreement-${id}`);
      expect(obligation).to.include({ action: 'inform', performer: 'provider', state: 'fulfilled' });
    });
  });

  describe('streaming', () => {
    it('streams a 64 MiB file with flat memory (retained heap and buffers far below the file size)', async function () {
      // A memory check, not a speed check: on a loaded machine the stream may take longer than mocha's default.
      this.timeout(120_000);
      const { edr } = await transfer({ kind: 'file', path: 'big.bin' });
      // Garbage is not growth: collect before each sample, so what is measured is what is retained.
      setFlagsFromString('--expose-gc');
      const gc = runInNewContext('gc') as () => void;
      gc();
      const baseline = process.memoryUsage();
      let peakHeap = 0;
      const buffers: number[] = [];
      // Each sample is scheduled 50 ms after the previous one ended: a full collection of a large heap (a
      // whole test run's) can take longer than that, and back-to-back samples would starve the transfer.
      let sample: NodeJS.Timeout | undefined;
      let sampling = true;
      const take = (): void => {
        gc();
        const now = process.memoryUsage();
        peakHeap = Math.max(peakHeap, now.heapUsed - baseline.heapUsed);
        buffers.push(now.arrayBuffers - baseline.arrayBuffers);
        if (sampling) sample = setTimeout(take, 50);
      };
      sample = setTimeout(take, 50);
      let received = 0;
      try {
        await new Promise<void>((resolve, reject) => {
          const req = httpRequest(edr.endpoint, { headers: bearer(edr), agent: false }, (res) => {
            expect(res.statusCode).to.equal(200);
            let paused = false;
            res.on('data', (chunk: Buffer) => {
              received += chunk.length;
              // A slow reader for a moment: backpressure must hold the server back, not fill its memory.
              if (!paused && received > 16 * 1024 * 1024) {
                paused = true;
                res.pause();
                setTimeout(() => res.resume(), 300);
              }
            });
            res.on('end', resolve);
            res.on('error', reject);
          });
          req.on('error', reject);
          req.end();
        });
      } finally {
        sampling = false;
        clearTimeout(sample);
      }
      expect(received).to.equal(64 * 1024 * 1024);
      // Node's own sweeping of freed buffers shows as single-sample spikes (a bare http server has
      // them too), so buffers are judged by their median; a server that buffered would sit at tens of MiB.
      const median = [...buffers].sort((a, b) => a - b)[Math.floor(buffers.length / 2)] ?? 0;
      const mib = (n: number) => `${(n / 1048576).toFixed(1)} MiB`;
      expect(peakHeap, `heap grew by ${mib(peakHeap)}`).to.be.lessThan(8 * 1024 * 1024);
      expect(median, `buffers grew by ${mib(median)} (median)`).to.be.lessThan(4 * 1024 * 1024);
    });
  });
});
