// Two replicas of one provider connector (child processes on one data directory and database) behind a
// round-robin proxy, with a consumer connector as counterparty: 200 negotiations with one replica killed
// with kill -9 in the middle of a delivery, then 50 transfers; every process ends FINALIZED / COMPLETED on
// both sides, once (no duplicate records or evidence, no message delivered twice except the ones the
// killed replica was sending). Usage counting is exact across replicas, and the evidence log both wrote
// verifies offline with `shuyu evidence verify`. Slow: about a minute.
import { expect } from 'chai';
import { NO_RATE_LIMITS } from '../../connector/http/rate-limit/index.js';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ControlPlaneConnector } from '../../connector/process/run-connector.js';
import type { Store } from '../../connector/store/database.js';
import { jsonValues } from '../../connector/store/dialect.js';
import {
  hospitalApplication,
  startLocalDataSpace,
  USCC_B,
  type LocalDataSpace,
} from '../authority/helpers.js';
import {
  assetInput,
  catalogOfferId,
  management,
  medicalContract,
  MEMBERS_ACCESS,
  pid,
  startMember,
  waitFor,
} from '../dsp/helpers.js';
import {
  BACKENDS,
  configureReplicas,
  openSharedStore,
  placeStore,
  freePort,
  managementKey,
  prepareProvider,
  RoundRobinProxy,
  startReplica,
  type Replica,
} from './cluster.js';

const execFileAsync = promisify(execFile);
const SHUYU = new URL('../../bin/shuyu.js', import.meta.url).pathname;

const DATASET = 'urn:dataset:replicas';
const COUNTED = 'urn:dataset:replicas-counted';
const NEGOTIATIONS = 200;
const TRANSFERS = 50;
const LEASE = { leaseMs: 3000, renewMs: 1000 };
/** A contract permitting ten uses in all. */
const TEN_USES = {
  '@type': 'Offer',
  uid: 'urn:test:contract:ten',
  profile: 'https://w3id.org/shuyu/v1',
  permission: [
    {
      action: 'use',
      constraint: [
        { leftOperand: 'shuyu:credentialType', operator: 'hasPart', rightOperand: 'MembershipCredential' },
        { leftOperand: 'count', operator: 'lteq', rightOperand: { '@value': '10', '@type': 'xsd:integer' } },
      ],
    },
  ],
};

/** A run that makes no progress for this long is stuck (a lost lease, a step nobody takes). */
const STUCK_MS = 30_000;

/**
 * Counts the DSP messages the consumer accepts (answers 2xx), by their message @id: in front of it, as
 * its public URL. A copy it refused (e.g. 503 while the provider's Credential Service was unreachable
 * through the replica being killed) was not applied and is resent by design; it is not counted.
 */
class CountingRelay {
  target = 0;
  readonly received = new Map<string, number>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<CountingRelay> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const relay = new CountingRelay(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        let id: unknown;
        if (req.method === 'POST' && req.url?.startsWith('/dsp/')) {
          try {
            id = (JSON.parse(body.toString()) as { '@id'?: unknown })['@id'];
          } catch {
            // not JSON: not a message we count
          }
        }
        const accepted = (status: number): void => {
          if (typeof id === 'string' && status >= 200 && status < 300)
            relay.received.set(id, (relay.received.get(id) ?? 0) + 1);
        };
        const upstream = httpRequest(
          { host: '127.0.0.1', port: relay.target, path: req.url, method: req.method, headers: req.headers },
          (answer) => {
            accepted(answer.statusCode ?? 502);
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          },
        );
        upstream.on('error', () => res.writeHead(502).end());
        upstream.end(body);
      });
    });
    return relay;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

/** Runs `work` over `items`, `limit` at a time. */
async function inParallel<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await work(items[i] as T);
      }
    }),
  );
  return out;
}

/** Polls `progress` (a count that grows to `total`) until done; fails when it stops moving for STUCK_MS. */
async function untilAll(what: string, total: number, progress: () => Promise<number>): Promise<void> {
  let best = -1;
  let movedAt = Date.now();
  for (;;) {
    const done = await progress();
    if (done >= total) return;
    if (done > best) {
      best = done;
      movedAt = Date.now();
    } else if (Date.now() - movedAt > STUCK_MS) {
      throw new Error(`${what}: stuck at ${done} of ${total} for ${STUCK_MS} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

interface EvidenceRow {
  kind: string;
  subject: string;
  data: string;
}

/** (kind, subject, data) that occur more than once: a step applied twice would log its entry twice. */
function duplicateEvidence(rows: readonly EvidenceRow[]): string[] {
  const seen = new Map<string, number>();
  for (const row of rows) {
    const data = JSON.parse(row.data) as Record<string, unknown>;
    // The entry's own time differs between two applications; what was applied does not.
    const key = `${row.kind} ${row.subject} ${String(data.role)} ${String(data.from)} ${String(data.to)}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  return [...seen].filter(([, n]) => n > 1).map(([key]) => key);
}

for (const backend of BACKENDS) {
  describe(`replicas (${backend}): two processes of one provider behind a round-robin proxy (slow)`, function () {
    this.timeout(180_000);
    let space: LocalDataSpace;
    let proxy: RoundRobinProxy;
    /** The replicas' management listeners, behind a round-robin proxy of their own (never the DSP port). */
    let managementProxy: RoundRobinProxy;
    const managementPorts = new Map<number, number>();
    let relay: CountingRelay;
    let consumer: ControlPlaneConnector;
    let providerDir: string;
    let providerDid: string;
    let providerDb: Store;
    const replicas: Replica[] = [];
    let provider: { managementUrl: string; managementApiKey: string };

    async function startReplicaOn(port: number): Promise<Replica> {
      const replica = await startReplica({
        dir: providerDir,
        port,
        managementPort: managementPorts.get(port) ?? 0,
        authorityUrl: space.authority.url,
        publicUrl: proxy.url,
      });
      replicas.push(replica);
      return replica;
    }

    before(async function () {
      space = await startLocalDataSpace();
      proxy = await RoundRobinProxy.start();
      managementProxy = await RoundRobinProxy.start();
      relay = await CountingRelay.start();
      providerDir = join(space.dir, 'provider');
      const unavailable = await placeStore(backend, providerDir);
      if (unavailable !== undefined) this.skip();
      providerDid = await prepareProvider(
        space,
        proxy,
        providerDir,
        hospitalApplication({ organisationName: 'Replicated Provider' }),
        (did) => ({
          assets: [
            assetInput(DATASET, did, { dataAddress: { kind: 'inline', data: 'a,b\n1,2\n' } }),
            assetInput(COUNTED, did, { dataAddress: { kind: 'inline', data: 'n\n1\n' } }),
          ],
          offers: [
            {
              id: 'open',
              assetSelector: { assetIds: [DATASET] },
              accessPolicy: MEMBERS_ACCESS,
              contractPolicy: medicalContract(),
            },
            {
              id: 'ten',
              assetSelector: { assetIds: [COUNTED] },
              accessPolicy: MEMBERS_ACCESS,
              contractPolicy: TEN_USES,
            },
          ],
        }),
      );
      configureReplicas(providerDir, LEASE);
      const [a, b] = [await freePort(), await freePort()];
      managementPorts.set(a, await freePort());
      managementPorts.set(b, await freePort());
      managementProxy.targets = [...managementPorts.values()];
      await startReplicaOn(a);
      await startReplicaOn(b);
      proxy.targets = [a, b];
      provider = {
        managementUrl: `${managementProxy.url}/management/v1`,
        managementApiKey: managementKey(providerDir),
      };
      providerDb = await openSharedStore(providerDir);
      consumer = await startMember(
        space,
        'consumer',
        hospitalApplication({ organisationName: 'Consumer Clinic', registrationNumber: USCC_B }),
        {
          publicUrl: relay.url,
          rateLimits: NO_RATE_LIMITS,
          beforeReady: async (serverUrl) => {
            relay.target = Number(new URL(serverUrl).port);
          },
        },
      );
    });

    after(async () => {
      await Promise.all(replicas.map((r) => r.stop()));
      await providerDb?.close();
      await proxy?.close();
      await managementProxy?.close();
      await space?.close();
      await relay?.close();
    });

    const agreements: string[] = [];

    it('finishes 200 negotiations and 50 transfers on both sides, once each, with a replica killed mid-delivery', async () => {
      const [victim] = replicas as [Replica, Replica];
      const consumerApi = management(consumer);
      const started: string[] = [];
      const starting: Promise<unknown> = inParallel(
        Array.from({ length: NEGOTIATIONS }, (_, i) => i),
        16,
        async () => {
          const start = (): ReturnType<typeof consumerApi.post> =>
            consumerApi.post('/negotiations', {
              counterPartyAddress: `${proxy.url}/dsp`,
              counterPartyId: providerDid,
              datasetId: DATASET,
              offerId: catalogOfferId('open', DATASET),
            });
          let r = await start();
          // The start reads the provider's dataset first; a read cut off by the kill fails (nothing was
          // created) and is tried again, as any client would.
          for (let retry = 0; r.status === 502 && retry < 5; retry++) {
            await new Promise((resolve) => setTimeout(resolve, 200));
            r = await start();
          }
          expect(r.status, JSON.stringify(r.body)).to.equal(201);
          started.push(String(r.body.id));
        },
      );

      starting.catch(() => undefined); // awaited below; a failure is reported there
      // At a random moment, once the victim is sending a message (an outbox entry under its lease): kill -9.
      await new Promise((resolve) => setTimeout(resolve, 300 + Math.floor(Math.random() * 1500)));
      const owner = `%/${victim.pid}/%`;
      await waitFor(
        'the victim replica to hold an outbox lease',
        async () => {
          const rows = await providerDb.all<{ seq: number; id: string }>(
            `SELECT seq, id FROM outbox WHERE status = 'pending' AND lease_owner LIKE ?`,
            [owner],
          );
          return rows.length > 0 ? rows : undefined;
        },
        20_000,
      );
      await victim.kill9();
      const killedAt = Date.now();
      // Everything the victim held when it died: the outbox entries it was sending.
      const stillHeld = await providerDb.all<{ seq: number; id: string }>(
        `SELECT seq, id FROM outbox WHERE status = 'pending' AND lease_owner LIKE ?`,
        [owner],
      );
      const heldIds = new Set(stillHeld.map((r) => r.id));
      await waitFor(
        'another replica to take the killed replica’s deliveries over',
        async () => {
          const left = await providerDb.get<{ n: number }>(
            `SELECT COUNT(*) AS n FROM outbox WHERE status = 'pending' AND lease_owner LIKE ?
             AND seq IN (${jsonValues(providerDb.dialect, 'integer')})`,
            [owner, JSON.stringify(stillHeld.map((r) => r.seq))],
          );
          return left?.n === 0 ? true : undefined;
        },
        STUCK_MS,
      );
      const takeoverMs = Date.now() - killedAt;
      console.log(
        `    takeover: ${stillHeld.length} outbox entries held by the killed replica were delivered by the other ` +
          `${takeoverMs} ms after kill -9 (lease ${LEASE.leaseMs} ms, renewal every ${LEASE.renewMs} ms)`,
      );

      await starting;
      await untilAll('negotiations FINALIZED at the consumer', NEGOTIATIONS, async () => {
        const list = await consumer.controlPlane.negotiations.list({ role: 'consumer', limit: 500 });
        const ended = list.filter((n) => n.state === 'TERMINATED');
        expect(ended, JSON.stringify(ended[0]?.reason)).to.have.length(0);
        return list.filter((n) => n.state === 'FINALIZED').length;
      });
      await untilAll('negotiations FINALIZED at the provider', NEGOTIATIONS, async () => {
        const row = await providerDb.get<{ n: number }>(
          `SELECT COUNT(*) AS n FROM negotiation WHERE role = 'provider' AND state = 'FINALIZED'`,
        );
        return row?.n ?? 0;
      });

      // The killed replica comes back (a new process, a new replica id): transfers run through both.
      replicas.splice(replicas.indexOf(victim), 1);
      await startReplicaOn(victim.port);
      const finalized = await consumer.controlPlane.negotiations.list({ role: 'consumer', limit: 500 });
      agreements.push(...finalized.map((n) => String(n.agreementId)));
      const transfers = await inParallel(agreements.slice(0, TRANSFERS), 10, async (agreementId) => {
        const r = await consumerApi.post('/transfers', { agreementId, format: 'HttpData-PULL' });
        expect(r.status, JSON.stringify(r.body)).to.equal(201);
        return String(r.body.id);
      });
      await untilAll('transfers STARTED at the consumer', TRANSFERS, async () => {
        const list = await consumer.controlPlane.transfers.list({ role: 'consumer', limit: 500 });
        return list.filter((t) => t.state === 'STARTED').length;
      });
      await inParallel(transfers, 10, async (id) => {
        const r = await consumerApi.post(`/transfers/${pid(id)}/complete`);
        expect(r.status, JSON.stringify(r.body)).to.equal(200);
      });
      await untilAll('transfers COMPLETED at the provider', TRANSFERS, async () => {
        const row = await providerDb.get<{ n: number }>(
          `SELECT COUNT(*) AS n FROM transfer WHERE role = 'provider' AND state = 'COMPLETED'`,
        );
        return row?.n ?? 0;
      });

      // Once each: one provider record per consumer process, one agreement each, no step logged twice.
      const providerSide = await providerDb.all<{
        consumer_pid: string;
        agreement_id: string;
        state: string;
      }>(`SELECT consumer_pid, agreement_id, state FROM negotiation WHERE role = 'provider'`);
      expect(providerSide).to.have.length(NEGOTIATIONS);
      expect(new Set(providerSide.map((n) => n.consumer_pid)).size).to.equal(NEGOTIATIONS);
      expect(new Set(providerSide.map((n) => n.agreement_id)).size).to.equal(NEGOTIATIONS);
      expect(new Set(agreements).size).to.equal(NEGOTIATIONS);
      const providerTransfers = await providerDb.all<{ state: string }>(
        `SELECT state FROM transfer WHERE role = 'provider'`,
      );
      expect(providerTransfers.map((t) => t.state)).to.deep.equal(Array(TRANSFERS).fill('COMPLETED'));
      const consumerTransfers = await consumer.controlPlane.transfers.list({ role: 'consumer', limit: 500 });
      expect(consumerTransfers.map((t) => t.state)).to.deep.equal(Array(TRANSFERS).fill('COMPLETED'));

      const providerEvidence = await providerDb.all<EvidenceRow>(
        'SELECT kind, subject, data FROM evidence_entry',
      );
      expect(duplicateEvidence(providerEvidence)).to.deep.equal([]);
      const agreementsLogged = providerEvidence.filter((e) => e.kind === 'agreement');
      expect(agreementsLogged).to.have.length(NEGOTIATIONS);
      const consumerEvidence = await consumer.db.all<EvidenceRow>(
        'SELECT kind, subject, data FROM evidence_entry',
      );
      expect(duplicateEvidence(consumerEvidence)).to.deep.equal([]);
      expect(consumerEvidence.filter((e) => e.kind === 'agreement')).to.have.length(NEGOTIATIONS);

      // The consumer accepted every message of the provider once, except what was attempted again: what the
      // victim was sending when it died, and (on a loaded machine) an attempt whose answer came too late or
      // whose lease ran out before its renewal ran. Delivery is at least once; the inbox absorbed the copies
      // (no duplicate records or evidence above). Two replicas never send one entry in the same attempt.
      // The relay counts DSP message @ids; the outbox keys entries by their own ids, with the message in body.
      const attemptedAgain = new Set(
        (
          await providerDb.all<{ id: string; body: string | null; attempts: number }>(
            'SELECT id, body, attempts FROM outbox',
          )
        )
          .filter((r) => r.attempts > 1 || heldIds.has(r.id))
          .map((r) => (JSON.parse(r.body ?? '{}') as { '@id'?: string })['@id']),
      );
      const twice = [...relay.received].filter(([, n]) => n > 1).map(([id]) => id);
      expect(twice.filter((id) => !attemptedAgain.has(id))).to.deep.equal([]);
      // Agreement, finalization (per negotiation) and start, completion ACK (per transfer) at least.
      expect(relay.received.size).to.be.at.least(2 * NEGOTIATIONS + TRANSFERS);
    });

    it('counts usage exactly across replicas: 50 parallel pulls at a count limit of 10, exactly 10 succeed', async () => {
      const consumerApi = management(consumer);
      const negotiation = await consumerApi.post('/negotiations', {
        counterPartyAddress: `${proxy.url}/dsp`,
        counterPartyId: providerDid,
        datasetId: COUNTED,
        offerId: catalogOfferId('ten', COUNTED),
      });
      expect(negotiation.status, JSON.stringify(negotiation.body)).to.equal(201);
      const agreed = await consumerApi.get(
        `/negotiations/${pid(String(negotiation.body.id))}?waitFor=FINALIZED,TERMINATED&timeoutMs=30000`,
      );
      expect(agreed.body.state, JSON.stringify(agreed.body)).to.equal('FINALIZED');
      const transfer = await consumerApi.post('/transfers', {
        agreementId: agreed.body.agreementId,
        format: 'HttpData-PULL',
      });
      expect(transfer.status, JSON.stringify(transfer.body)).to.equal(201);
      const started = await consumerApi.get(
        `/transfers/${pid(String(transfer.body.id))}?waitFor=STARTED,TERMINATED&timeoutMs=30000`,
      );
      expect(started.body.state, JSON.stringify(started.body)).to.equal('STARTED');
      const access = started.body.access as { endpoint: string; authorization: string };
      expect(access.endpoint.startsWith(proxy.url)).to.equal(true);

      const before = new Map(proxy.served);
      const statuses = await Promise.all(
        Array.from({ length: 50 }, () =>
          fetch(access.endpoint, { headers: { authorization: `Bearer ${access.authorization}` } }).then(
            async (r) => {
              await r.arrayBuffer();
              return r.status;
            },
          ),
        ),
      );
      expect(statuses.filter((s) => s === 200)).to.have.length(10);
      expect(statuses.filter((s) => s === 403)).to.have.length(40);
      // Both replicas served some of them.
      for (const port of proxy.targets) {
        expect((proxy.served.get(port) ?? 0) - (before.get(port) ?? 0), `port ${port}`).to.be.greaterThan(0);
      }
      const usage = await providerDb.get<{ count: number }>(
        'SELECT count FROM dataplane_usage WHERE agreement_id = ?',
        [String(agreed.body.agreementId)],
      );
      expect(usage?.count).to.equal(10);
    });

    it('the evidence log both replicas wrote verifies offline with shuyu evidence verify', async () => {
      const checkpoint = await management(provider).post('/evidence/checkpoints');
      expect(checkpoint.status, JSON.stringify(checkpoint.body)).to.be.oneOf([200, 201]);
      const exported = await management(provider).get('/evidence/export');
      expect(exported.status, JSON.stringify(exported.body).slice(0, 500)).to.equal(200);
      const file = join(space.dir, 'provider-evidence.json');
      await writeFile(file, JSON.stringify(exported.body));
      const { stdout } = await execFileAsync(process.execPath, [SHUYU, 'evidence', 'verify', file, '--json']);
      const report = JSON.parse(stdout) as { ok: boolean; checked: { entries: number; checkpoints: number } };
      expect(report.ok, stdout.slice(0, 1000)).to.equal(true);
      expect(report.checked.checkpoints).to.be.greaterThan(0);
      // Every entry of the export was checked (accesses logged after the export are in the next one).
      expect(report.checked.entries).to.equal((exported.body.entries as unknown[]).length);
      expect(report.checked.entries).to.be.greaterThan(2 * NEGOTIATIONS);
    });
  });
}
