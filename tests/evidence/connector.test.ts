// The evidence log wired into running connectors, end to end: after a negotiation and a pull transfer, both
// parties' logs hold the agreement with both signatures (the provider's on the agreement, the consumer's on
// its verification), the transfer's states, and (provider) every access; an export verifies offline, an
// inclusion proof from the management API verifies offline, so does a consistency proof. Checkpoints go to
// the authority's checkpoint endpoint (mounted here in the test's own app, with the real authority service
// and keys), which countersigns them and refuses a forked or rolled-back one.
import { expect } from 'chai';
import { join } from 'node:path';
import { AUTHORITY_CHECKPOINT_MIGRATIONS, checkpointRoutes } from '../../catalog/authority/checkpoints.js';
import {
  checkAgreementSignature,
  checkVerificationSignature,
} from '../../connector/control-plane/negotiation/signature.js';
import {
  offlineKeys,
  resolverKeys,
  signCheckpoint,
  verifyConsistency,
  verifyEntryProof,
  verifyEvidenceExport,
  type EvidenceEntry,
  type StoredCheckpoint,
} from '../../connector/evidence/index.js';
import { createJsonApp, finishJsonApp } from '../../connector/http/json-app.js';
import { listen, type RunningServer } from '../../connector/http/server.js';
import {
  createIdToken,
  createNetworkVerifiers,
  InMemoryReplayCache,
  openProcessIdentity,
  type ProcessIdentity,
} from '../../connector/identity/index.js';
import { CheckpointPublisher } from '../../connector/process/checkpoint-publisher.js';
import { hostPolicyFor, LOCAL_DID_HOSTS } from '../../connector/process/config.js';
import type { ControlPlaneConnector } from '../../connector/process/run-connector.js';
import { Database } from '../../connector/store/database.js';
import {
  hospitalApplication,
  request,
  startLocalDataSpace,
  type LocalDataSpace,
} from '../authority/helpers.js';
import {
  assetInput,
  catalogOfferId,
  management,
  medicalContract,
  MEMBERS_ACCESS,
  pid,
  publish,
  startMember,
  startNegotiation,
  waitFor,
  waitForState,
} from '../dsp/helpers.js';

const DATASET = 'urn:dataset:evidence-visits';
const DATA = 'visit,count\n2026-01,12\n';

describe('evidence: wired into connectors, end to end', function () {
  this.timeout(60_000);
  let space: LocalDataSpace;
  let checkpoints: RunningServer;
  let checkpointDb: Database;
  let authorityIdentity: ProcessIdentity;
  let provider: ControlPlaneConnector;
  let consumer: ControlPlaneConnector;
  let agreementId: string;
  let consumerTransfer: string;
  let providerTransfer: string;

  before(async () => {
    space = await startLocalDataSpace();
    // The authority's checkpoint routes in an app of their own, with the real service and the authority's keys.
    authorityIdentity = await openProcessIdentity(join(space.dir, 'authority', 'keys'), space.authority.url);
    checkpointDb = await Database.open(
      join(space.dir, 'checkpoints.sqlite'),
      AUTHORITY_CHECKPOINT_MIGRATIONS,
    );
    const app = createJsonApp();
    app.use(
      checkpointRoutes({
        service: space.authority.service,
        identity: authorityIdentity,
        db: checkpointDb,
        resolver: createNetworkVerifiers(hostPolicyFor(LOCAL_DID_HOSTS)).resolver,
        replayCache: new InMemoryReplayCache(),
      }),
    );
    finishJsonApp(app);
    checkpoints = await listen(app, { host: '127.0.0.1', port: 0 });
    // Checkpoints only when asked (POST /evidence/checkpoints), published to the app above.
    const evidence = { checkpointIntervalMs: 3_600_000, checkpointAuthorityUrl: checkpoints.url };
    provider = await startMember(
      space,
      'provider',
      hospitalApplication({ organisationName: 'Provider Hospital' }),
      {
        evidence,
      },
    );
    consumer = await startMember(space, 'consumer', hospitalApplication(), { evidence });
    await publish(
      provider,
      [assetInput(DATASET, provider.did, { dataAddress: { kind: 'inline', data: DATA } })],
      [
        {
          id: 'research',
          assetSelector: { assetIds: [DATASET] },
          accessPolicy: MEMBERS_ACCESS,
          contractPolicy: medicalContract(),
        },
      ],
    );

    // A negotiation, a pull transfer with two accesses and the consumer completing it.
    const started = await startNegotiation(consumer, provider, DATASET, catalogOfferId('research', DATASET));
    const done = await waitForState(consumer, `/negotiations/${pid(String(started.body.id))}`, 'FINALIZED');
    await waitForState(provider, `/negotiations/${pid(String(done.providerPid))}`, 'FINALIZED');
    agreementId = String(done.agreementId);
    const requested = await management(consumer).post('/transfers', { agreementId, format: 'HttpData-PULL' });
    consumerTransfer = String(requested.body.id);
    const transfer = await waitForState(consumer, `/transfers/${pid(consumerTransfer)}`, 'STARTED');
    providerTransfer = String(transfer.providerPid);
    const { endpoint, authorization } = transfer.access as { endpoint: string; authorization: string };
    for (let i = 0; i < 2; i++) {
      const response = await fetch(endpoint, { headers: { authorization: `Bearer ${authorization}` } });
      expect(await response.text()).to.equal(DATA);
    }
    await management(consumer).post(`/transfers/${pid(consumerTransfer)}/complete`);
    await waitForState(provider, `/transfers/${pid(providerTransfer)}`, 'COMPLETED');
    // Refused now: logged too, as a denied access.
    expect(
      (await fetch(endpoint, { headers: { authorization: `Bearer ${authorization}` } })).status,
    ).to.equal(403);
    await waitFor('the provider to log the three accesses', async () => {
      const accesses = await entries(provider, { subject: providerTransfer, kind: 'data-access' });
      return accesses.length === 3 ? accesses : undefined;
    });
  });
  after(async () => {
    await space?.close();
    await checkpoints?.close();
    await checkpointDb?.close();
  });

  async function entries(
    connector: ControlPlaneConnector,
    query: Record<string, string>,
  ): Promise<EvidenceEntry[]> {
    const result = await management(connector).get(`/evidence?${new URLSearchParams(query).toString()}`);
    expect(result.status, JSON.stringify(result.body)).to.equal(200);
    return result.body.entries as EvidenceEntry[];
  }

  const dataOf = (entry: EvidenceEntry | undefined) => (entry?.data ?? {}) as Record<string, unknown>;

  it('both logs hold the agreement with the provider’s and the consumer’s signatures, the same on both sides', async () => {
    const signatures = [];
    for (const side of [provider, consumer]) {
      const logged = await entries(side, { subject: agreementId });
      const agreement = dataOf(logged.find((e) => e.kind === 'agreement'));
      const verification = dataOf(logged.find((e) => e.kind === 'agreement-verification'));
      expect(agreement.agreement).to.include({
        '@id': agreementId,
        assigner: provider.did,
        assignee: consumer.did,
      });
      expect(agreement.providerSignature).to.be.a('string');
      expect(verification.consumerSignature).to.be.a('string');
      expect(verification.providerSignature).to.equal(agreement.providerSignature);
      const stored = await management(side).get(`/agreements/${pid(agreementId)}/signatures`);
      expect(stored.body).to.include({
        providerSignature: agreement.providerSignature,
        consumerSignature: verification.consumerSignature,
      });
      signatures.push(stored.body);
    }
    const [onProvider, onConsumer] = signatures as Record<string, string>[];
    expect(onProvider?.providerSignature).to.equal(onConsumer?.providerSignature);
    expect(onProvider?.consumerSignature).to.equal(onConsumer?.consumerSignature);
    expect(onProvider?.digest).to.equal(onConsumer?.digest);

    // Both verify offline with the signers' DID documents, against either side's copy of the agreement.
    const keys = offlineKeys([provider.identity.didDocument(), consumer.identity.didDocument()]);
    const agreement = (await management(consumer).get(`/agreements/${pid(agreementId)}`)).body
      .agreement as Record<string, unknown>;
    const providerSignature = String(onConsumer?.providerSignature);
    await checkAgreementSignature(providerSignature, agreement, provider.did, keys);
    await checkVerificationSignature(
      String(onConsumer?.consumerSignature),
      agreement,
      providerSignature,
      consumer.did,
      keys,
    );
    // The consumer's signature is not the provider's: checked as the provider's, it fails.
    const wrong = await checkAgreementSignature(
      String(onConsumer?.consumerSignature),
      agreement,
      provider.did,
      keys,
    ).then(
      () => 'accepted',
      (e: Error) => e.message,
    );
    expect(wrong).to.match(/signature is invalid/);
  });

  it('both logs hold the transfer’s states; the provider’s holds every access, served or refused', async () => {
    const states = async (side: ControlPlaneConnector, id: string) =>
      (await entries(side, { subject: id, kind: 'transfer-state' })).map(
        (e) => `${String(dataOf(e).from)}>${String(dataOf(e).to)}`,
      );
    expect(await states(provider, providerTransfer)).to.deep.equal([
      'null>REQUESTED',
      'REQUESTED>STARTED',
      'STARTED>COMPLETED',
    ]);
    expect(await states(consumer, consumerTransfer)).to.deep.equal([
      'null>REQUESTED',
      'REQUESTED>STARTED',
      'STARTED>COMPLETED',
    ]);

    const accesses = (await entries(provider, { subject: providerTransfer, kind: 'data-access' })).map(
      dataOf,
    );
    expect(accesses.map((a) => [a.decision, a.status, a.count ?? null])).to.deep.equal([
      ['permit', 200, 1],
      ['permit', 200, 2],
      ['deny', 403, null],
    ]);
    expect(accesses[0]).to.include({
      agreementId,
      consumer: consumer.did,
      bytes: DATA.length,
      outcome: 'served',
    });
    expect(accesses[2]).to.include({ code: 'ERR_TRANSFER_NOT_ACTIVE' });
  });

  it('checkpoints are countersigned by the authority; exports and inclusion proofs verify offline', async () => {
    for (const side of [provider, consumer]) {
      const made = await management(side).post('/evidence/checkpoints');
      expect(made.status, JSON.stringify(made.body)).to.equal(201);
      const checkpoint = made.body.checkpoint as StoredCheckpoint;
      expect(checkpoint.logId).to.equal(side.did);
      expect(checkpoint.countersignatures.map((c) => c.authority)).to.deep.equal([space.authority.did]);

      const exported = await management(side).get('/evidence/export');
      const report = await verifyEvidenceExport(exported.body);
      expect(report.ok, JSON.stringify(report.failures)).to.equal(true);
      expect(report.checked.countersignatures).to.be.at.least(1);
      expect(report.checked.entries).to.equal(checkpoint.size);
    }

    const access = (await entries(provider, { subject: providerTransfer, kind: 'data-access' }))[0];
    const proof = await management(provider).get(`/evidence/entries/${String(access?.seq)}/proof`);
    expect(proof.status).to.equal(200);
    const checked = await verifyEntryProof(JSON.parse(JSON.stringify(proof.body)) as unknown);
    expect(checked.ok, JSON.stringify(checked.failures)).to.equal(true);
    // A changed entry no longer verifies.
    const tampered = structuredClone(proof.body) as { entry: { data: { bytes: number } } };
    tampered.entry.data.bytes += 1;
    expect((await verifyEntryProof(tampered)).ok).to.equal(false);
  });

  it('serves consistency proofs between checkpoints, verifiable offline, and publishes the next checkpoint with one', async () => {
    const first = (await management(provider).get('/evidence/checkpoints')).body
      .checkpoints as StoredCheckpoint[];
    const earlier = first.at(-1) as StoredCheckpoint;
    // More evidence: a second transfer under the agreement.
    const requested = await management(consumer).post('/transfers', { agreementId, format: 'HttpData-PULL' });
    const started = await waitForState(consumer, `/transfers/${pid(String(requested.body.id))}`, 'STARTED');
    await waitForState(provider, `/transfers/${pid(String(started.providerPid))}`, 'STARTED');
    const made = await management(provider).post('/evidence/checkpoints');
    const later = made.body.checkpoint as StoredCheckpoint;
    expect(later.size).to.be.greaterThan(earlier.size);
    expect(later.countersignatures).to.have.length(1);

    const consistency = await management(provider).get(
      `/evidence/consistency?from=${earlier.size}&to=${later.size}`,
    );
    expect(consistency.status).to.equal(200);
    const body = consistency.body as {
      fromRoot: string;
      toRoot: string;
      path: string[];
      checkpoints: Record<string, StoredCheckpoint>;
    };
    expect(body.fromRoot).to.equal(earlier.root);
    expect(body.toRoot).to.equal(later.root);
    expect(verifyConsistency(earlier.size, later.size, body.path, earlier.root, later.root)).to.equal(true);
    expect(verifyConsistency(earlier.size, later.size, body.path, earlier.root, 'ab'.repeat(32))).to.equal(
      false,
    );

    const latest = await request(
      `${checkpoints.url}/authority/v1/checkpoints/latest?logId=${encodeURIComponent(provider.did)}`,
    );
    expect((latest.body.checkpoint as StoredCheckpoint).size).to.equal(later.size);
  });

  it('after a restart, learns from the authority which size to prove consistency from', async () => {
    const requested = await management(consumer).post('/transfers', { agreementId, format: 'HttpData-PULL' });
    const started = await waitForState(consumer, `/transfers/${pid(String(requested.body.id))}`, 'STARTED');
    await waitForState(provider, `/transfers/${pid(String(started.providerPid))}`, 'STARTED');
    const { log } = provider.dataServices;
    const checkpoint = await log.checkpoint(provider.identity.signer(), {
      didDocument: provider.identity.didDocument(),
    });
    // A publisher that knows nothing yet (as after a restart): its first attempt is answered 409.
    const publisher = new CheckpointPublisher({
      log,
      authorityUrl: checkpoints.url,
      authorityDid: async () => space.authority.did,
      signer: () => provider.identity.signer(),
      keys: resolverKeys(provider.verifiers.resolver),
    });
    const stored = await publisher.publish(checkpoint);
    expect(stored.countersignatures.map((c) => c.authority)).to.deep.equal([space.authority.did]);
    const report = await verifyEvidenceExport((await management(provider).get('/evidence/export')).body);
    expect(report.ok, JSON.stringify(report.failures)).to.equal(true);
  });

  describe('the authority’s checkpoint endpoint', () => {
    const post = async (signer: { identity: ProcessIdentity }, body: unknown) => {
      const { token } = await createIdToken({
        signer: signer.identity.signer(),
        audience: space.authority.did,
      });
      return request(`${checkpoints.url}/authority/v1/checkpoints`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    };
    const latestOf = async (): Promise<StoredCheckpoint> =>
      (
        await request(
          `${checkpoints.url}/authority/v1/checkpoints/latest?logId=${encodeURIComponent(provider.did)}`,
        )
      ).body.checkpoint as StoredCheckpoint;

    it('refuses a forked checkpoint (same size, another root) and a rolled-back one', async () => {
      const last = await latestOf();
      const forked = await signCheckpoint(
        { logId: provider.did, size: last.size, root: 'ab'.repeat(32), time: new Date().toISOString() },
        provider.identity.signer(),
      );
      const fork = await post(provider, {
        checkpoint: forked,
        consistency: { fromSize: last.size, proof: [] },
      });
      expect(fork.status, JSON.stringify(fork.body)).to.equal(409);
      expect(String(fork.body.type)).to.match(/checkpoint-fork$/);
      expect(String(fork.body.detail)).to.match(/forked/);

      const smaller = await signCheckpoint(
        { logId: provider.did, size: 1, root: 'cd'.repeat(32), time: new Date().toISOString() },
        provider.identity.signer(),
      );
      const rollback = await post(provider, {
        checkpoint: smaller,
        consistency: { fromSize: last.size, proof: [] },
      });
      expect(rollback.status).to.equal(409);
      expect(String(rollback.body.detail)).to.match(/rolled back/);
      expect((await latestOf()).root).to.equal(last.root);
    });

    it('asks for a consistency proof from the last checkpoint it countersigned', async () => {
      const last = await latestOf();
      const next = await signCheckpoint(
        { logId: provider.did, size: last.size + 1, root: 'ef'.repeat(32), time: new Date().toISOString() },
        provider.identity.signer(),
      );
      const answer = await post(provider, { checkpoint: next });
      expect(answer.status).to.equal(409);
      expect(answer.body.lastCheckpoint).to.deep.include({ size: last.size, root: last.root });
      const badProof = await post(provider, {
        checkpoint: next,
        consistency: { fromSize: last.size, proof: [] },
      });
      expect(badProof.status).to.equal(409);
      expect(String(badProof.body.type)).to.match(/checkpoint-fork$/);
    });

    it('countersigns only members’ own logs, with a valid signature', async () => {
      const last = await latestOf();
      // The consumer publishing the provider's checkpoint.
      const foreign = await post(consumer, { checkpoint: last });
      expect(foreign.status).to.equal(403);
      expect(String(foreign.body.type)).to.match(/not-your-log$/);
      // A participant that is not a member.
      const outsider = await space.startConnector('outsider');
      const signed = await signCheckpoint(
        { logId: outsider.did, size: 1, root: 'ab'.repeat(32), time: new Date().toISOString() },
        outsider.identity.signer(),
      );
      const refused = await post(outsider, { checkpoint: signed });
      expect(refused.status).to.equal(403);
      expect(String(refused.body.type)).to.match(/not-a-member$/);
      // A signature that does not match the checkpoint shown.
      const altered = { ...last, countersignatures: [], root: '12'.repeat(32), size: last.size + 5 };
      const invalid = await post(provider, {
        checkpoint: altered,
        consistency: { fromSize: last.size, proof: [] },
      });
      expect(invalid.status).to.equal(400);
      expect(String(invalid.body.type)).to.match(/checkpoint-signature-invalid$/);
      // No DID proof at all.
      const anonymous = await request(`${checkpoints.url}/authority/v1/checkpoints`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ checkpoint: last }),
      });
      expect(anonymous.status).to.equal(401);
    });
  });
});
