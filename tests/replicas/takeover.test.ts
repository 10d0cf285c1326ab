// Automatic steps left behind: a replica that committed a state calling for a step of ours and never took
// it (as one killed between the commit and the step would) has its work taken over by another replica once
// the record has been left alone for a lease length. The stand-in for the dead replica is one started with
// `--automation none` (it commits what peers send and takes no step), behind the same round-robin proxy
// as a normal replica: every negotiation whose request or verification landed there is finished by the
// other, through a work_lease claim. Then, with both replicas normal, a push transfer whose replica is
// killed with kill -9 mid-push: the push runs under a work lease, so once that lease has run out the other
// replica pushes the data again and completes the transfer (at least once, as after a restart).
import { expect } from 'chai';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { ControlPlaneConnector } from '../../connector/process/run-connector.js';
import type { Store } from '../../connector/store/database.js';
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
  prepareProvider,
  RoundRobinProxy,
  startReplica,
  type Replica,
} from './cluster.js';

const DATASET = 'urn:dataset:takeover';
const DATA = 'visit,count\n2026-01,12\n';
const LEASE = { leaseMs: 1500, renewMs: 500 };
const NEGOTIATIONS = 12;

for (const backend of BACKENDS) {
  describe(`replicas (${backend}): work a replica left behind is taken over (slow)`, function () {
    this.timeout(120_000);
    let space: LocalDataSpace;
    let proxy: RoundRobinProxy;
    let consumer: ControlPlaneConnector;
    let providerDid: string;
    let providerDb: Store;
    const replicas: Replica[] = [];
    let ports: number[];
    let startOn: (port: number, automation?: string) => Promise<Replica>;
    let sink: Server;
    /** Pushes that arrived; the first is held open (its replica dies while sending it). */
    const arrivals: { at: number; body: string }[] = [];
    const held: ServerResponse[] = [];

    before(async function () {
      space = await startLocalDataSpace();
      proxy = await RoundRobinProxy.start();
      sink = createServer((req: IncomingMessage, res: ServerResponse) => {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => {
          arrivals.push({ at: Date.now(), body: Buffer.concat(chunks).toString() });
          if (arrivals.length === 1) held.push(res);
          else res.writeHead(204).end();
        });
      });
      await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
      const dir = join(space.dir, 'provider');
      const unavailable = await placeStore(backend, dir);
      if (unavailable !== undefined) this.skip();
      providerDid = await prepareProvider(
        space,
        proxy,
        dir,
        hospitalApplication({ organisationName: 'Provider' }),
        (did) => ({
          assets: [assetInput(DATASET, did, { dataAddress: { kind: 'inline', data: DATA } })],
          offers: [
            {
              id: 'open',
              assetSelector: { assetIds: [DATASET] },
              accessPolicy: MEMBERS_ACCESS,
              contractPolicy: medicalContract(),
            },
          ],
        }),
      );
      configureReplicas(dir, LEASE, { dataplane: { pushHosts: ['127.0.0.1'] } });
      ports = [await freePort(), await freePort()];
      const common = { dir, authorityUrl: space.authority.url, publicUrl: proxy.url };
      startOn = async (port, automation) => {
        const replica = await startReplica({ ...common, port, ...(automation ? { automation } : {}) });
        replicas.push(replica);
        return replica;
      };
      await startOn(ports[0]!, 'none');
      await startOn(ports[1]!);
      proxy.targets = ports;
      providerDb = await openSharedStore(dir);
      consumer = await startMember(
        space,
        'consumer',
        hospitalApplication({ organisationName: 'Consumer Clinic', registrationNumber: USCC_B }),
      );
    });

    after(async () => {
      for (const res of held) res.destroy();
      await Promise.all(replicas.map((r) => r.stop()));
      await providerDb?.close();
      await proxy?.close();
      await new Promise<void>((resolve) => {
        sink?.close(() => resolve());
        sink?.closeAllConnections();
      });
      await space?.close();
    });

    it('finishes every negotiation, the steps left on the idle replica taken by the other after the lease', async () => {
      const api = management(consumer);
      const began = Date.now();
      const ids: string[] = [];
      for (let i = 0; i < NEGOTIATIONS; i++) {
        const r = await api.post('/negotiations', {
          counterPartyAddress: `${proxy.url}/dsp`,
          counterPartyId: providerDid,
          datasetId: DATASET,
          offerId: catalogOfferId('open', DATASET),
        });
        expect(r.status, JSON.stringify(r.body)).to.equal(201);
        ids.push(String(r.body.id));
      }
      const states = await Promise.all(
        ids.map(async (id) => {
          const r = await api.get(
            `/negotiations/${encodeURIComponent(id)}?waitFor=FINALIZED,TERMINATED&timeoutMs=30000`,
          );
          return String(r.body.state);
        }),
      );
      expect(states).to.deep.equal(Array(NEGOTIATIONS).fill('FINALIZED'));
      const finishedMs = Date.now() - began;

      // The requests and verifications that landed on the idle replica were claimed and stepped by the other.
      const claims = await providerDb.all<{ resource: string; owner: string }>(
        'SELECT resource, owner FROM work_lease',
      );
      expect(claims.length).to.be.greaterThan(0);
      expect(new Set(claims.map((c) => c.owner)).size).to.equal(1);
      expect(claims[0]!.owner).to.include(`/${replicas[1]!.pid}/`);
      const provided = await providerDb.all<{ state: string }>(
        `SELECT state FROM negotiation WHERE role = 'provider'`,
      );
      expect(provided.map((n) => n.state)).to.deep.equal(Array(NEGOTIATIONS).fill('FINALIZED'));
      console.log(
        `    takeover: ${claims.length} steps left on the idle replica were taken by the other; ${NEGOTIATIONS} ` +
          `negotiations finished in ${finishedMs} ms (lease ${LEASE.leaseMs} ms, sweep every ${LEASE.renewMs} ms)`,
      );
    });

    it('pushes again from the surviving replica once the dead one’s lease has run out, and completes', async () => {
      // Both replicas take their steps now.
      const idle = replicas.shift()!;
      await idle.stop();
      await startOn(idle.port);
      const api = management(consumer);
      const negotiation = await api.post('/negotiations', {
        counterPartyAddress: `${proxy.url}/dsp`,
        counterPartyId: providerDid,
        datasetId: DATASET,
        offerId: catalogOfferId('open', DATASET),
      });
      expect(negotiation.status, JSON.stringify(negotiation.body)).to.equal(201);
      const agreed = await api.get(
        `/negotiations/${pid(String(negotiation.body.id))}?waitFor=FINALIZED,TERMINATED&timeoutMs=30000`,
      );
      expect(agreed.body.state, JSON.stringify(agreed.body)).to.equal('FINALIZED');
      const requested = await api.post('/transfers', {
        agreementId: agreed.body.agreementId,
        format: 'HttpData-PUSH',
        dataAddress: {
          '@type': 'DataAddress',
          endpointType: 'https://w3id.org/idsa/v4.1/HTTP',
          endpoint: `http://127.0.0.1:${(sink.address() as AddressInfo).port}/incoming/visits.csv`,
        },
      });
      expect(requested.status, JSON.stringify(requested.body)).to.equal(201);

      // The first push is held open by the sink; the replica sending it holds the push's lease: kill it.
      const lease = await waitFor(
        'a replica to hold the push lease',
        async () =>
          (await providerDb.get<{ owner: string }>(
            `SELECT owner FROM work_lease WHERE resource LIKE 'push %'`,
          )) ?? undefined,
        20_000,
      );
      await waitFor('the first push to arrive', async () => (arrivals.length > 0 ? true : undefined), 20_000);
      const victim = replicas.find((r) => lease.owner.includes(`/${r.pid}/`));
      expect(victim, lease.owner).to.not.equal(undefined);
      await victim!.kill9();
      const killedAt = Date.now();

      const done = await api.get(
        `/transfers/${pid(String(requested.body.id))}?waitFor=COMPLETED,TERMINATED&timeoutMs=30000`,
      );
      expect(done.body.state, JSON.stringify(done.body)).to.equal('COMPLETED');
      expect(arrivals).to.have.length(2);
      expect(arrivals[1]!.body).to.equal(DATA);
      console.log(
        `    push takeover: pushed again by the other replica ${arrivals[1]!.at - killedAt} ms after kill -9`,
      );
      const provided = await providerDb.all<{ state: string }>(
        `SELECT state FROM transfer WHERE role = 'provider'`,
      );
      expect(provided.map((t) => t.state)).to.deep.equal(['COMPLETED']);
    });
  });
}
