// Automatic steps left behind: a replica that committed a state calling for a step of ours and never took
// it (as one killed between the commit and the step would) has its work taken over by another replica once
// the record has been left alone for a lease length. The stand-in for the dead replica is one started with
// `--automation none` (it commits what peers send and takes no step), behind the same round-robin proxy
// as a normal replica: every negotiation whose request or verification landed there is finished by the
// other, through a work_lease claim.
import { expect } from 'chai';
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
  startMember,
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
const LEASE = { leaseMs: 1500, renewMs: 500 };
const NEGOTIATIONS = 12;

for (const backend of BACKENDS) {
  describe(`replicas (${backend}): automatic steps a replica left behind are taken over (slow)`, function () {
    this.timeout(120_000);
    let space: LocalDataSpace;
    let proxy: RoundRobinProxy;
    let consumer: ControlPlaneConnector;
    let providerDid: string;
    let providerDb: Store;
    const replicas: Replica[] = [];

    before(async function () {
      space = await startLocalDataSpace();
      proxy = await RoundRobinProxy.start();
      const dir = join(space.dir, 'provider');
      const unavailable = await placeStore(backend, dir);
      if (unavailable !== undefined) this.skip();
      providerDid = await prepareProvider(
        space,
        proxy,
        dir,
        hospitalApplication({ organisationName: 'Provider' }),
        (did) => ({
          assets: [assetInput(DATASET, did)],
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
      configureReplicas(dir, LEASE);
      const ports = [await freePort(), await freePort()];
      const common = { dir, authorityUrl: space.authority.url, publicUrl: proxy.url };
      replicas.push(await startReplica({ ...common, port: ports[0]!, automation: 'none' }));
      replicas.push(await startReplica({ ...common, port: ports[1]! }));
      proxy.targets = ports;
      providerDb = await openSharedStore(dir);
      consumer = await startMember(
        space,
        'consumer',
        hospitalApplication({ organisationName: 'Consumer Clinic', registrationNumber: USCC_B }),
      );
    });

    after(async () => {
      await Promise.all(replicas.map((r) => r.stop()));
      await providerDb?.close();
      await proxy?.close();
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
  });
}
